"""A real HTTP server on a loopback port, standing in for a webhook receiver in tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def running_http_server() -> Iterator[tuple[ThreadingHTTPServer, str]]:
    """The server and its base URL; set ``server.RequestHandlerClass`` before calling it.

    The handler usually needs the URL (to build the receiver it records
    into), so the port is chosen first and the handler plugged in after.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
