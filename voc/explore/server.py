"""Serve the exploration page with uvicorn on 127.0.0.1 (never another interface)."""
from __future__ import annotations

import logging
import socket
import threading
import webbrowser
from pathlib import Path
from typing import Callable

from ..errors import ConfigError, OutputError
from .app import HOSTS, create_app

log = logging.getLogger(__name__)
HOST = HOSTS[0]
DEFAULT_PORT = 8765


def serve(store: str | Path, port: int = DEFAULT_PORT, *, open_browser: bool = True,
          who: str | None = None, announce: Callable[[str], None] | None = None) -> None:
    """Serve the page for ``store`` on http://127.0.0.1:``port``/ until interrupted; open it in
    the default browser unless ``open_browser`` is False; ``announce(url)`` is called once the
    server listens."""
    try:
        import uvicorn
    except ImportError:
        raise ConfigError("voc explore needs uvicorn; install it with: pip install 'voc-cx[explore]'") from None
    if not 0 <= int(port) <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, got {port}.")
    app = create_app(store, who=who)
    if port:
        with socket.socket() as probe:  # a busy port: one sentence, not uvicorn's exit
            try:
                probe.bind((HOST, int(port)))
            except OSError as e:
                raise OutputError(f"cannot listen on {HOST}:{port} ({e.strerror}); give another --port "
                                  f"(or --port 0 for any free one).") from None
    config = uvicorn.Config(app, host=HOST, port=int(port), log_level="warning", access_log=False,
                            server_header=False, lifespan="off")
    server = uvicorn.Server(config)

    def started() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.05)
        sockets = [s for srv in getattr(server, "servers", []) for s in srv.sockets]
        bound = sockets[0].getsockname()[1] if sockets else port
        url = f"http://{HOST}:{bound}/"
        if announce:
            announce(url)
        if open_browser:
            webbrowser.open(url)

    threading.Thread(target=started, daemon=True).start()
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot bind
        raise OutputError(f"cannot listen on {HOST}:{port}; give another --port.") from None
    if not server.started:
        raise OutputError(f"cannot listen on {HOST}:{port}; the port is in use: give another --port.")
