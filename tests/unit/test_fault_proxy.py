"""The fault proxy does what each fault says, seen from both the client and the upstream."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.fault_proxy import Exchange, Fault, FaultProxy

PUSH = "/api/v1/push"
PULL = "/api/v1/pull"
BIG = bytes(range(256)) * 32  # 8 KiB GET body, so a cut response is visibly partial
CLIENT_ERRORS = (ConnectionError, http.client.HTTPException, TimeoutError)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.posts: list[bytes] = []  # bodies received in full
        self.incomplete = 0  # POSTs whose body was cut short

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets are the point of these tests; keep stderr quiet


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5

    def do_POST(self) -> None:
        expected = int(self.headers.get("Content-Length", "0"))
        try:
            body = self.rfile.read(expected)
        except OSError:
            body = b""
        with self.server.lock:
            if len(body) < expected:
                self.server.incomplete += 1
                return
            self.server.posts.append(body)
            count = len(self.server.posts)
        self._reply(json.dumps({"received": count}).encode())

    def do_GET(self) -> None:
        self._reply(BIG, "application/octet-stream")

    def _reply(self, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(2)


@pytest.fixture
def proxy(upstream: _Server) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", upstream.server_address[1], delay_s=0.5, io_timeout=2) as p:
        yield p


def _request(
    proxy: FaultProxy,
    method: str = "POST",
    path: str = PUSH,
    body: bytes | None = b'{"op": "x"}',
    timeout: float = 2.0,
) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=timeout)
    try:
        conn.request(method, path, body=body if method == "POST" else None)
        response = conn.getresponse()
        return response.status, response.read(), response
    finally:
        conn.close()


def _eventually(check: Callable[[], bool], timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _raw_exchange(port: int, data: bytes) -> tuple[bytes, BaseException | None]:
    """Send raw bytes, read until EOF or error; return what arrived and the error, if any."""
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(data)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as exc:
            return bytes(received), exc
    return bytes(received), None


def test_pass_forwards_and_forces_connection_close(proxy: FaultProxy, upstream: _Server) -> None:
    status, body, response = _request(proxy)
    assert (status, json.loads(body)) == (200, {"received": 1})
    assert response.getheader("Connection") == "close"
    assert upstream.posts == [b'{"op": "x"}']
    assert proxy.wait_idle(2)
    stats = proxy.stats()
    assert (stats.connections, stats.requests, stats.count(Fault.PASS)) == (1, 1, 1)
    assert proxy.history() == (Exchange("POST", PUSH, Fault.PASS),)


def test_keep_alive_client_gets_one_exchange_per_connection(
    proxy: FaultProxy, upstream: _Server
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=2)
    try:
        for _ in range(3):  # http.client reconnects by itself after "Connection: close"
            conn.request("POST", PUSH, body=b"{}", headers={"Connection": "keep-alive"})
            assert conn.getresponse().read() != b""
    finally:
        conn.close()
    # Two pipelined requests on one connection: one answer, then the proxy closes.
    one = f"GET {PULL} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    received, error = _raw_exchange(proxy.port, one + one)
    assert error is None and received.count(b"HTTP/1.") == 1 and received.endswith(BIG)
    assert proxy.wait_idle(2)
    stats = proxy.stats()
    assert (stats.connections, stats.requests, len(upstream.posts)) == (4, 4, 3)


def test_drop_request_forwards_nothing(proxy: FaultProxy, upstream: _Server) -> None:
    proxy.script([Fault.DROP_REQUEST])
    with pytest.raises(http.client.RemoteDisconnected):
        _request(proxy)
    assert proxy.wait_idle(2)
    assert upstream.posts == [] and upstream.incomplete == 0
    stats = proxy.stats()
    assert (stats.bytes_to_upstream, stats.bytes_to_client) == (0, 0)
    assert stats.count(Fault.DROP_REQUEST) == 1
    assert _request(proxy)[0] == 200  # the script is used up: the next request passes


def test_drop_response_after_the_server_committed(proxy: FaultProxy, upstream: _Server) -> None:
    proxy.script([Fault.DROP_RESPONSE])
    with pytest.raises(http.client.RemoteDisconnected):
        _request(proxy)
    # The proxy read the whole response before closing: the server has already committed.
    assert len(upstream.posts) == 1
    stats = proxy.stats()
    assert stats.bytes_from_upstream > 0 and stats.bytes_to_client == 0
    assert json.loads(_request(proxy)[1]) == {"received": 2}


def test_reset_request_body_leaves_the_server_with_a_partial_body(
    proxy: FaultProxy, upstream: _Server
) -> None:
    body = b"x" * 10_000
    proxy.script([Fault.RESET_REQUEST_BODY])
    with pytest.raises(ConnectionResetError):
        _request(proxy, body=body)
    assert _eventually(lambda: upstream.incomplete == 1)
    assert upstream.posts == []
    stats = proxy.stats()
    assert 0 < stats.bytes_to_upstream < stats.bytes_from_client - len(body) // 3
    assert stats.bytes_to_client == 0


def test_reset_response_body_cuts_the_answer(proxy: FaultProxy, upstream: _Server) -> None:
    proxy.script([Fault.RESET_RESPONSE_BODY, Fault.RESET_RESPONSE_BODY])
    # On the wire: the head and half the body arrive, then RST.
    request = f"GET {PULL} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    received, error = _raw_exchange(proxy.port, request)
    assert isinstance(error, ConnectionResetError)
    head, _, partial = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") and f"Content-Length: {len(BIG)}".encode() in head
    assert partial == BIG[: len(BIG) // 2]
    # A POST: the server committed it, but the client only sees an error.
    with pytest.raises(CLIENT_ERRORS):
        _request(proxy)
    assert len(upstream.posts) == 1
    assert proxy.stats().count(Fault.RESET_RESPONSE_BODY) == 2


def test_error_500_never_reaches_the_server(proxy: FaultProxy, upstream: _Server) -> None:
    proxy.script([Fault.ERROR_500])
    status, body, response = _request(proxy)
    assert status == 500 and json.loads(body)["fault"] == "ERROR_500"
    assert response.getheader("X-Fault-Proxy") == "ERROR_500"
    assert proxy.wait_idle(2)
    assert upstream.posts == [] and proxy.stats().bytes_to_upstream == 0


def test_delay_times_the_client_out_but_the_server_commits_later(
    proxy: FaultProxy, upstream: _Server
) -> None:
    proxy.script([Fault.DELAY])
    with pytest.raises(TimeoutError):
        _request(proxy, timeout=0.2)
    assert upstream.posts == []
    assert proxy.wait_idle(3)
    assert len(upstream.posts) == 1
    assert proxy.history()[-1].fault is Fault.DELAY


def test_upstream_down_answers_502(upstream: _Server) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    with FaultProxy("127.0.0.1", dead_port, io_timeout=2) as proxy:
        proxy.script([Fault.PASS, Fault.DROP_RESPONSE])
        for _ in range(2):
            status, body, response = _request(proxy)
            assert status == 502 and json.loads(body)["error"] == "bad_gateway"
            assert response.getheader("X-Fault-Proxy") == "UPSTREAM_DOWN"
        assert proxy.wait_idle(2)
        assert proxy.stats().count(Fault.UPSTREAM_DOWN) == 2
        # The hub comes back on another port.
        proxy.retarget(upstream.server_address[1])
        assert _request(proxy)[0] == 200
        assert len(upstream.posts) == 1


def test_retarget_moves_later_requests_to_the_new_upstream(
    proxy: FaultProxy, upstream: _Server
) -> None:
    other = _Server()
    thread = threading.Thread(target=other.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        _request(proxy)
        proxy.retarget(other.server_address[1])
        assert proxy.upstream == ("127.0.0.1", other.server_address[1])
        _request(proxy)
        assert (len(upstream.posts), len(other.posts)) == (1, 1)
    finally:
        other.shutdown()
        other.server_close()
        thread.join(2)


def test_script_is_fifo_and_filtered_by_path(proxy: FaultProxy) -> None:
    proxy.script([Fault.ERROR_500, Fault.DROP_REQUEST], path_prefix=PUSH)
    assert _request(proxy, "GET", PULL)[0] == 200  # not a push: passes, script kept
    assert _request(proxy)[0] == 500
    assert _request(proxy, "GET", PULL)[0] == 200
    with pytest.raises(http.client.RemoteDisconnected):
        _request(proxy)
    assert _request(proxy)[0] == 200
    assert proxy.wait_idle(2)
    assert [(e.path, e.fault) for e in proxy.history()] == [
        (PULL, Fault.PASS),
        (PUSH, Fault.ERROR_500),
        (PULL, Fault.PASS),
        (PUSH, Fault.DROP_REQUEST),
        (PUSH, Fault.PASS),
    ]


def test_heal_clears_script_and_rates(proxy: FaultProxy) -> None:
    proxy.script([Fault.ERROR_500] * 3)
    proxy.set_rates({Fault.ERROR_500: 1.0})
    proxy.heal()
    assert proxy.pending_script() == 0
    assert [_request(proxy)[0] for _ in range(3)] == [200, 200, 200]


def _run_random(proxy: FaultProxy, n: int) -> list[tuple[Fault, str]]:
    """n sequential pushes; each fault drawn with what the client saw."""
    seen = []
    for _ in range(n):
        try:
            outcome = str(_request(proxy)[0])
        except CLIENT_ERRORS as exc:
            outcome = type(exc).__name__
        assert proxy.wait_idle(2)
        seen.append((proxy.history()[-1].fault, outcome))
    return seen


def test_random_rates_are_seeded_and_proportional(proxy: FaultProxy, upstream: _Server) -> None:
    rates = {Fault.DROP_RESPONSE: 0.3, Fault.ERROR_500: 0.2}
    proxy.set_rates(rates, seed=7, path_prefix=PUSH)
    first = _run_random(proxy, 200)
    counts = proxy.stats().faults
    assert 40 <= counts[Fault.DROP_RESPONSE] <= 80  # 60 expected
    assert 22 <= counts[Fault.ERROR_500] <= 58  # 40 expected
    assert counts[Fault.PASS] == 200 - counts[Fault.DROP_RESPONSE] - counts[Fault.ERROR_500]
    # Each client saw what its fault promises; the server holds every forwarded push.
    expected = {
        Fault.PASS: "200",
        Fault.ERROR_500: "500",
        Fault.DROP_RESPONSE: "RemoteDisconnected",
    }
    assert all(outcome == expected[fault] for fault, outcome in first)
    assert len(upstream.posts) == counts[Fault.PASS] + counts[Fault.DROP_RESPONSE]
    # The path filter: pulls are never touched.
    assert _request(proxy, "GET", PULL)[0] == 200
    # Same seed, same draws; another seed, other draws.
    proxy.set_rates(rates, seed=7, path_prefix=PUSH)
    assert _run_random(proxy, 50) == first[:50]
    proxy.set_rates(rates, seed=8, path_prefix=PUSH)
    assert _run_random(proxy, 50) != first[:50]


def test_rates_are_validated(proxy: FaultProxy) -> None:
    with pytest.raises(ValueError):
        proxy.set_rates({Fault.DROP_REQUEST: 0.6, Fault.ERROR_500: 0.5})
    with pytest.raises(ValueError):
        proxy.set_rates({Fault.DELAY: -0.1})


def test_byte_counters_match_the_wire(proxy: FaultProxy) -> None:
    body = b'{"n": 1}'
    # "Connection: close" last, so the proxy's rewrite of the head changes no byte.
    request = (
        f"POST {PUSH} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body
    received, error = _raw_exchange(proxy.port, request)
    assert error is None and received.startswith(b"HTTP/1.0 200")
    assert proxy.wait_idle(2)
    stats = proxy.stats()
    assert stats.bytes_from_client == stats.bytes_to_upstream == len(request)
    assert stats.bytes_to_client == len(received)
    # The upstream (HTTP/1.0) sends no Connection header; the proxy adds one.
    assert stats.bytes_to_client == stats.bytes_from_upstream + len(b"Connection: close\r\n")
    proxy.reset_stats()
    assert proxy.stats().bytes_to_client == 0 and proxy.history() == ()


def test_stop_returns_promptly_with_connections_hanging(upstream: _Server) -> None:
    proxy = FaultProxy("127.0.0.1", upstream.server_address[1], delay_s=30, io_timeout=30)
    proxy.start()
    proxy.script([Fault.DELAY])
    outcomes: list[object] = []

    def delayed_push() -> None:
        try:
            outcomes.append(_request(proxy, timeout=10)[0])
        except CLIENT_ERRORS as exc:
            outcomes.append(exc)

    delayed_client = threading.Thread(target=delayed_push, daemon=True)
    delayed_client.start()
    half = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    half.sendall(b"POST /api/v1/push HTTP/1.1\r\nContent-Le")  # and then nothing
    assert _eventually(lambda: proxy.stats().connections == 2)
    assert _eventually(lambda: proxy.history() != ())  # the DELAY is being held
    started = time.monotonic()
    proxy.stop()
    assert time.monotonic() - started < 1.0
    assert half.recv(10) == b""  # the hanging connection was closed, not left open
    half.close()
    delayed_client.join(2)
    assert not delayed_client.is_alive()
    assert len(outcomes) == 1 and isinstance(outcomes[0], CLIENT_ERRORS)
    assert upstream.posts == []  # a DELAY cut short by stop() forwards nothing
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=1)
