"""A small round-robin reverse proxy for end-to-end tests: what a load balancer in front of
several `navbot run` processes does.

Each request goes to the next backend in turn. A backend that refuses the connection (its
process is gone) is skipped for the next one, as nginx's ``proxy_next_upstream error`` does.
A backend that dies after it took the request gets a 502 back to the caller: the request may
have been handled, so it is not sent elsewhere (it is not idempotent); Telegram sends the
update again, and that retry reaches a live backend.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class RoundRobinProxy:
    def __init__(self, backends: list[tuple[str, int]]) -> None:
        self.backends = backends
        self._turn = itertools.count()
        self._lock = threading.Lock()
        #: (path, backend index or None, status) per request, in order.
        self.served: list[tuple[str, int | None, int]] = []
        handler = type("_BoundProxyHandler", (_ProxyHandler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> RoundRobinProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def backends_in_turn(self) -> list[int]:
        with self._lock:
            first = next(self._turn) % len(self.backends)
        return [(first + i) % len(self.backends) for i in range(len(self.backends))]

    def record(self, path: str, backend: int | None, status: int) -> None:
        with self._lock:
            self.served.append((path, backend, status))

    def served_by(self, path_prefix: str) -> list[int | None]:
        with self._lock:
            return [b for path, b, status in self.served if path.startswith(path_prefix)]


class _ProxyHandler(BaseHTTPRequestHandler):
    proxy: RoundRobinProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
        return

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        for index in self.proxy.backends_in_turn():
            host, port = self.proxy.backends[index]
            connection = http.client.HTTPConnection(host, port, timeout=60)
            try:
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                except ConnectionRefusedError:
                    continue  # nothing listens there: the next backend
                try:
                    response = connection.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException):
                    self._answer(502, b"backend died", index)
                    return
                self._answer(response.status, payload, index, response.getheader("Content-Type"))
                return
            finally:
                connection.close()
        self._answer(503, b"no backend", None)

    def _answer(
        self, status: int, payload: bytes, backend: int | None, content_type: str | None = None
    ) -> None:
        self.proxy.record(self.path, backend, status)
        self.send_response(status)
        self.send_header("Content-Type", content_type or "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _forward
    do_POST = _forward
