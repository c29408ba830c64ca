"""``voc explore``: a local web page over a results store, to look behind every figure of the
monthly report and correct tags.

    from voc.explore import create_app, serve
    serve("voc.db", port=8765)        # http://127.0.0.1:8765/ (127.0.0.1 only)

* ``create_app(store)``: the ASGI app (Starlette + Jinja2; ``voc.explore.app``): the report's
  figures, each a link to its contacts; filters; text search; the contact view with its tags,
  evidence, reasons and a correction form (``Store.correct``).
* ``serve(store, port=, open_browser=)``: runs it with uvicorn on 127.0.0.1.

Needs the ``explore`` extra: ``pip install 'voc-cx[explore]'``.
"""
from __future__ import annotations

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
