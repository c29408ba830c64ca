"""The ``voc`` command: a thin click layer; each command calls one library function.

One module per command group (``tag``, ``models``, ``topics``, ``store``, ``journey``); each registers its
commands on the root group of ``base`` when imported here. A new command goes in its own module,
imported below.
"""
from __future__ import annotations

from . import corrections, explore, journey, models, qa, store, tag, topics  # noqa: F401  (registers the commands)
from .base import CONTEXT, cli, handle_errors

__all__ = ["CONTEXT", "cli", "handle_errors", "main"]


def main(argv=None) -> None:
    cli.main(args=argv, prog_name="voc")
