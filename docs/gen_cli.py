"""Regenerate docs/cli.md from the click commands: ``python docs/gen_cli.py > docs/cli.md``.

tests/test_docs.py checks that docs/cli.md is up to date.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voc.cli import cli  # noqa: E402


def walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            yield from walk(cmd.commands[name], path + [name])


def render() -> str:
    out = ["# Command reference", "",
           "Generated from the commands' own help by `python docs/gen_cli.py > docs/cli.md`.", ""]
    for path, cmd in walk(cli, ["voc"]):
        ctx = click.Context(cmd, info_name=" ".join(path), max_content_width=100, terminal_width=100,
                            help_option_names=["-h", "--help"])
        out += [f"## `{' '.join(path)}`", "", "```", cmd.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render())
