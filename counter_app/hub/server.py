"""Running the hub: ``serve`` for ``counter-app hub serve`` and ``HubThread`` for tests and
benchmarks (a real uvicorn server on a real port, in a background thread)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from counter_app.errors import ConfigurationError
from counter_app.hub.app import Clock, create_app
from counter_app.hub.forwarding import Forwarder, ForwardTarget

log = logging.getLogger(__name__)


def _config(
    host: str, port: int, cert: str | None, key: str | None, clock: Clock | None
) -> uvicorn.Config:
    if bool(cert) != bool(key):
        raise ConfigurationError("--cert và --key phải đi cùng nhau để phục vụ HTTPS.")
    app = create_app() if clock is None else create_app(clock=clock)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=cert,
        ssl_keyfile=key,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=15,
        limit_concurrency=400,
    )


def serve(
    *,
    host: str,
    port: int,
    cert: str | None = None,
    key: str | None = None,
    forward: ForwardTarget | None = None,
    forward_interval_s: float = 30.0,
) -> None:
    """Serve until interrupted (the hub database must already be open)."""
    forwarder = Forwarder(forward, forward_interval_s) if forward else None
    if forwarder:
        forwarder.start()
    try:
        uvicorn.Server(_config(host, port, cert, key, None)).run()
    finally:
        if forwarder:
            forwarder.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubThread:
    """A hub on ``127.0.0.1:port`` in this process, for tests and benchmarks."""

    def __init__(
        self,
        port: int = 0,
        *,
        cert: str | None = None,
        key: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.port = port or free_port()
        self._server = uvicorn.Server(_config("127.0.0.1", self.port, cert, key, clock))
        self._thread = threading.Thread(target=self._server.run, name="hub", daemon=True)
        scheme = "https" if cert else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> HubThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("hub did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> HubThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
