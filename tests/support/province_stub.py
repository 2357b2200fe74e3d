"""A stand-in for the provincial one-stop endpoint: a real HTTP server on 127.0.0.1.

It checks each POSTed dossier with ``validate_national_payload`` and answers 200
``{"ok": true}`` or 400 ``{"errors": [...]}``; its first ``fail_first`` requests get 503
(or ``fail_status``, with ``Retry-After`` when given) to exercise retries. With ``token``
it answers 401 to a request without that bearer token; with ``tls=(certfile, keyfile)`` it
speaks HTTPS.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from counter_app.hub.national import validate_national_payload


@dataclass
class Stub:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[Any, list[str]]] = field(default_factory=list)
    requests: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class _Rules:
    fail_first: int
    fail_status: int
    retry_after: str | None
    token: str | None


def _handler(stub: Stub, rules: _Rules) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _answer(
            self, status: int, data: dict[str, Any], retry_after: str | None = None
        ) -> None:
            body = json.dumps(data, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with stub.lock:
                stub.requests += 1
                number = stub.requests
                stub.headers.append(dict(self.headers.items()))
            if number <= rules.fail_first:
                busy = {"error": "Hệ thống đang bảo trì, thử lại sau."}
                self._answer(rules.fail_status, busy, rules.retry_after)
                return
            wanted = f"Bearer {rules.token}"
            if rules.token is not None and self.headers.get("Authorization") != wanted:
                self._answer(401, {"error": "Sai hoặc thiếu mã xác thực."})
                return
            try:
                payload = json.loads(raw.decode("utf-8"))
            except ValueError:
                self._answer(400, {"errors": ["Nội dung gửi lên không phải JSON hợp lệ."]})
                return
            problems = validate_national_payload(payload)
            with stub.lock:
                if problems:
                    stub.rejected.append((payload, problems))
                else:
                    stub.received.append(payload)
            if problems:
                self._answer(400, {"errors": problems})
            else:
                self._answer(200, {"ok": True})

    return Handler


@contextmanager
def province_stub(
    fail_first: int = 0,
    *,
    fail_status: int = 503,
    retry_after: str | None = None,
    token: str | None = None,
    tls: tuple[str, str] | None = None,
) -> Iterator[Stub]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    scheme = "http"
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    stub = Stub(url=f"{scheme}://127.0.0.1:{server.server_port}/api/dongbohoso")
    rules = _Rules(fail_first, fail_status, retry_after, token)
    server.RequestHandlerClass = _handler(stub, rules)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
