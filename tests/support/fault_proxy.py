"""A fault-injecting HTTP/1.1 proxy for sync tests: drops, resets, delays and fakes errors.

The proxy sits between the counter's sync client and the hub and breaks exchanges on purpose,
so tests can prove that nothing is lost or doubled whatever the network does. It is
HTTP-aware: it reads one complete request from the client, picks a fault, acts, and closes
(one exchange per client connection; ``Connection: close`` is forced both ways, so a
keep-alive client simply reconnects for its next request).

What each fault does on the wire:

* ``PASS``: forward the request, relay the complete response, close with FIN.
* ``DROP_REQUEST``: read the request, forward nothing, close the client with FIN.
* ``DROP_RESPONSE``: forward the request, read the upstream's complete response (so the hub
  has processed and committed it), then close the client with FIN without sending a byte.
* ``RESET_REQUEST_BODY``: forward the head and half the body (half the head if there is no
  body), then reset both connections (SO_LINGER 0, so both peers see RST). The upstream never
  receives a complete request.
* ``RESET_RESPONSE_BODY``: forward the request, read the complete response, send the client
  the response head and half the body, then reset the client connection.
* ``ERROR_500``: answer ``500`` with a small JSON body without contacting the upstream.
* ``DELAY``: hold the request for ``delay_s`` seconds, then behave like ``PASS`` (the hub may
  commit after the client gave up; the late response goes nowhere).
* ``UPSTREAM_DOWN``: answer ``502`` with a small JSON body. This is what any forwarding fault
  turns into when the upstream refuses the connection (or does not accept within
  ``connect_timeout``); scripting it simulates a down hub for one request.

Responses the proxy makes up itself carry an ``X-Fault-Proxy: <FAULT>`` header.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import random
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, TracebackType

logger = logging.getLogger(__name__)

_MAX_HEAD = 64 * 1024
_MAX_BODY = 64 * 1024 * 1024
_RECV_SIZE = 64 * 1024
# After a graceful close, read what the client still sends for at most this long: closing a
# socket with unread input makes the kernel send RST, which can destroy the response we just
# sent before the client reads it (RFC 9112 §9.6, "lingering close").
_LINGER_S = 0.5
_ACCEPT_POLL_S = 0.1
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection"})


class Fault(enum.Enum):
    """What the proxy does to one exchange (see the module docstring for the wire details)."""

    PASS = "pass"
    DROP_REQUEST = "drop_request"
    DROP_RESPONSE = "drop_response"
    RESET_REQUEST_BODY = "reset_request_body"
    RESET_RESPONSE_BODY = "reset_response_body"
    ERROR_500 = "error_500"
    DELAY = "delay"
    UPSTREAM_DOWN = "upstream_down"


# Faults that need the upstream; if it is unreachable they are counted as UPSTREAM_DOWN.
_FORWARDING = frozenset(
    {Fault.PASS, Fault.DROP_RESPONSE, Fault.RESET_REQUEST_BODY, Fault.RESET_RESPONSE_BODY}
)


@dataclass(frozen=True)
class Exchange:
    """One request the proxy handled and the fault it actually got."""

    method: str
    path: str
    fault: Fault


@dataclass(frozen=True)
class ProxyStats:
    """A snapshot of the proxy's counters; bytes are counted on the wire, heads included."""

    connections: int  # client connections accepted
    requests: int  # complete requests read from clients
    faults: Mapping[Fault, int]  # every Fault is a key; sums to `requests` once idle
    bytes_from_client: int  # client -> proxy
    bytes_to_client: int  # proxy -> client
    bytes_to_upstream: int  # proxy -> upstream
    bytes_from_upstream: int  # upstream -> proxy
    incomplete_requests: int  # client closed or timed out before a complete request
    upstream_errors: int  # upstream accepted, then failed (reset, timeout, bad response)

    def count(self, fault: Fault) -> int:
        return self.faults[fault]


class _Incomplete(Exception):
    """The peer closed the connection before a complete HTTP message arrived."""


class _BadMessage(Exception):
    """The peer sent something that is not HTTP/1.x as we understand it."""


@dataclass
class _Message:
    start_line: str
    headers: list[tuple[str, str]]
    body: bytes  # as on the wire: chunked framing is kept and forwarded untouched

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def head_bytes(self) -> bytes:
        """The head with hop-by-hop connection headers replaced by ``Connection: close``."""
        lines = [self.start_line]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() not in _HOP_BY_HOP]
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Reader:
    """A socket with a read buffer; every byte received is reported to `on_recv`."""

    def __init__(self, sock: socket.socket, on_recv: Callable[[int], None]) -> None:
        self.sock = sock
        self._on_recv = on_recv
        self._buf = bytearray()

    def _fill(self) -> bool:
        data = self.sock.recv(_RECV_SIZE)
        if not data:
            return False
        self._on_recv(len(data))
        self._buf += data
        return True

    def _take(self, n: int) -> bytes:
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def read_until(self, delim: bytes, limit: int) -> bytes:
        start = 0
        while True:
            i = self._buf.find(delim, start)
            if i >= 0:
                return self._take(i + len(delim))
            if len(self._buf) > limit:
                raise _BadMessage(f"no {delim!r} within {limit} bytes")
            start = max(0, len(self._buf) - len(delim) + 1)
            if not self._fill():
                raise _Incomplete(f"EOF with {len(self._buf)} bytes buffered")

    def read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            if not self._fill():
                raise _Incomplete(f"EOF after {len(self._buf)} of {n} bytes")
        return self._take(n)

    def read_to_eof(self, limit: int) -> bytes:
        while self._fill():
            if len(self._buf) > limit:
                raise _BadMessage(f"body over {limit} bytes")
        return self._take(len(self._buf))


def _read_head(reader: _Reader) -> tuple[str, list[tuple[str, str]]]:
    raw = reader.read_until(b"\r\n\r\n", _MAX_HEAD).decode("latin-1")
    start_line, *lines = raw[:-4].split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise _BadMessage(f"bad header line {line!r}")
        headers.append((name, value.strip()))
    return start_line, headers


def _read_body(reader: _Reader, msg: _Message, *, until_eof: bool) -> bytes:
    encoding = (msg.header("Transfer-Encoding") or "").lower()
    if "chunked" in encoding:
        parts: list[bytes] = []
        while True:
            line = reader.read_until(b"\r\n", _MAX_HEAD)
            parts.append(line)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadMessage(f"bad chunk size {line!r}") from None
            if size == 0:
                # Trailer fields, then the empty line that ends the message.
                while (line := reader.read_until(b"\r\n", _MAX_HEAD)) != b"\r\n":
                    parts.append(line)
                parts.append(line)
                return b"".join(parts)
            parts.append(reader.read_exact(size + 2))
    length = msg.header("Content-Length")
    if length is not None:
        try:
            n = int(length)
        except ValueError:
            raise _BadMessage(f"bad Content-Length {length!r}") from None
        if not 0 <= n <= _MAX_BODY:
            raise _BadMessage(f"Content-Length {n} out of range")
        return reader.read_exact(n)
    # A response without framing ends when the server closes; a request has no body.
    return reader.read_to_eof(_MAX_BODY) if until_eof else b""


def _path_of(target: str) -> str:
    # Absolute-form targets (http://host/path) match prefixes by their path.
    if "://" in target:
        rest = target.split("://", 1)[1]
        slash = rest.find("/")
        return rest[slash:] if slash >= 0 else "/"
    return target


def _reset(sock: socket.socket) -> None:
    """Close so the peer sees RST, not FIN: SO_LINGER on with a zero timeout."""
    fmt = "HH" if sys.platform == "win32" else "ii"  # struct linger differs on Windows
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(fmt, 1, 0))
    sock.close()


def _synthetic(status: int, reason: str, fault: Fault | None, payload: dict[str, str]) -> bytes:
    body = json.dumps(payload).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        + (f"X-Fault-Proxy: {fault.name}\r\n" if fault else "")
        + "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Rates:
    """A seeded draw over fault probabilities for requests under `prefix`."""

    def __init__(self, rates: Mapping[Fault, float], seed: int, prefix: str | None) -> None:
        for fault, rate in rates.items():
            if not isinstance(fault, Fault) or not 0.0 <= rate <= 1.0:
                raise ValueError(f"bad rate {fault!r}: {rate!r}")
        total = sum(rate for fault, rate in rates.items() if fault is not Fault.PASS)
        if total > 1.0 + 1e-9:
            raise ValueError(f"fault rates add up to {total:.3f} > 1")
        # Enum order, not dict order, so equal mappings built differently draw alike.
        self.table = [(f, rates[f]) for f in Fault if f is not Fault.PASS and rates.get(f)]
        self.rng = random.Random(seed)
        self.prefix = prefix

    def draw(self) -> Fault:
        x = self.rng.random()
        for fault, rate in self.table:
            if x < rate:
                return fault
            x -= rate
        return Fault.PASS


class _Counters:
    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self.faults = dict.fromkeys(Fault, 0)
        self.bytes_from_client = 0
        self.bytes_to_client = 0
        self.bytes_to_upstream = 0
        self.bytes_from_upstream = 0
        self.incomplete_requests = 0
        self.upstream_errors = 0


class FaultProxy:
    """A threaded TCP proxy on 127.0.0.1 that injects HTTP faults (see the module docstring).

    Fault choice per request: the head of the `script` queue if its path prefix matches the
    request; otherwise a draw from `set_rates` if its prefix matches; otherwise PASS.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        seed: int = 0,
        listen_port: int = 0,
        delay_s: float = 1.0,
        io_timeout: float = 5.0,
        connect_timeout: float = 1.0,
        history_size: int = 10_000,
    ) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._seed = seed
        self._listen_port = listen_port
        self._port = 0
        self._delay_s = delay_s
        self._io_timeout = io_timeout
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._threads: set[threading.Thread] = set()
        self._live: set[socket.socket] = set()
        self._active = 0
        self._script: deque[tuple[Fault, str | None]] = deque()
        self._rates: _Rates | None = None
        self._counters = _Counters()
        self._history: deque[Exchange] = deque(maxlen=history_size)
        self._conn_seq = 0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        if self._listener is not None:
            raise RuntimeError("FaultProxy already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", self._listen_port))
        listener.listen(128)
        # Polling accept: closing a listener does not wake a blocked accept() everywhere.
        listener.settimeout(_ACCEPT_POLL_S)
        self._listener = listener
        self._port = listener.getsockname()[1]
        self._stopping.clear()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"fault-proxy-{self.port}", daemon=True
        )
        self._accept_thread.start()
        logger.info("fault proxy %s -> %s:%d", self.url, *self.upstream)
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Close the listener and every live connection; join threads for at most `timeout`."""
        if self._listener is None or self._stopping.is_set():
            return
        self._stopping.set()
        deadline = time.monotonic() + timeout
        self._listener.close()
        with self._lock:
            live = list(self._live)
            threads = list(self._threads)
        # shutdown() wakes threads blocked in recv/send on these sockets; close() would not.
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._accept_thread is not None:
            self._accept_thread.join(max(0.0, deadline - time.monotonic()))
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            logger.warning("fault proxy: threads still running after stop: %s", stuck)
        with self._lock:
            leftover = list(self._live)
        for sock in leftover:
            sock.close()
        logger.info("fault proxy %s stopped", self.url)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("FaultProxy not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def upstream(self) -> tuple[str, int]:
        with self._lock:
            return self._upstream

    @property
    def delay_s(self) -> float:
        return self._delay_s

    @delay_s.setter
    def delay_s(self, value: float) -> None:
        if value < 0:
            raise ValueError("delay_s must be >= 0")
        self._delay_s = value

    # -- fault control ---------------------------------------------------------------------

    def script(self, faults: Iterable[Fault], *, path_prefix: str | None = None) -> None:
        """Queue `faults` (FIFO) for the next requests whose path starts with `path_prefix`."""
        entries = [(Fault(f), path_prefix) for f in faults]
        with self._lock:
            self._script.extend(entries)

    def set_rates(
        self,
        rates: Mapping[Fault, float],
        *,
        seed: int | None = None,
        path_prefix: str | None = None,
    ) -> None:
        """Draw a fault per request not claimed by the script; the rest of 1.0 is PASS.

        The draws are a fixed sequence for a given seed (default: the constructor's seed),
        so sequential requests get reproducible faults. An empty mapping turns rates off.
        """
        table = _Rates(rates, self._seed if seed is None else seed, path_prefix)
        with self._lock:
            self._rates = table if table.table else None

    def heal(self) -> None:
        """Clear the script and the rates: every later request passes."""
        with self._lock:
            self._script.clear()
            self._rates = None

    def pending_script(self) -> int:
        with self._lock:
            return len(self._script)

    def retarget(self, port: int, host: str | None = None) -> None:
        """Send later requests to another upstream port (and host); exchanges in flight stay."""
        with self._lock:
            self._upstream = (self._upstream[0] if host is None else host, port)
        logger.info("fault proxy %s retargeted to %s:%d", self.url, *self.upstream)

    # -- statistics ------------------------------------------------------------------------

    def stats(self) -> ProxyStats:
        with self._lock:
            c = self._counters
            return ProxyStats(
                connections=c.connections,
                requests=c.requests,
                faults=MappingProxyType(dict(c.faults)),
                bytes_from_client=c.bytes_from_client,
                bytes_to_client=c.bytes_to_client,
                bytes_to_upstream=c.bytes_to_upstream,
                bytes_from_upstream=c.bytes_from_upstream,
                incomplete_requests=c.incomplete_requests,
                upstream_errors=c.upstream_errors,
            )

    def reset_stats(self) -> None:
        """Zero the counters and forget the history (the script and rates stay)."""
        with self._lock:
            self._counters = _Counters()
            self._history.clear()

    def history(self) -> tuple[Exchange, ...]:
        """The requests handled so far, oldest first, with the fault each actually got."""
        with self._lock:
            return tuple(self._history)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no exchange is in flight (e.g. a DELAY finished); False on timeout.

        Connections still in the accept backlog are not seen; call this after the client
        has had its answer (or its error).
        """
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._active:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    # -- internals -------------------------------------------------------------------------

    def _add(self, field: str, n: int) -> None:
        with self._lock:
            setattr(self._counters, field, getattr(self._counters, field) + n)

    def _record(self, method: str, path: str, fault: Fault) -> None:
        with self._lock:
            self._counters.faults[fault] += 1
            self._history.append(Exchange(method, path, fault))
        logger.debug("%s %s -> %s", method, path, fault.name)

    def _choose(self, path: str) -> Fault:
        with self._lock:
            if self._script:
                fault, prefix = self._script[0]
                if prefix is None or path.startswith(prefix):
                    self._script.popleft()
                    return fault
            rates = self._rates
            if rates is not None and (rates.prefix is None or path.startswith(rates.prefix)):
                return rates.draw()
        return Fault.PASS

    def _send(self, sock: socket.socket, data: bytes, field: str) -> None:
        """sendall() that counts exactly what the kernel took, even if it fails midway."""
        view = memoryview(data)
        while view:
            n = sock.send(view)
            self._add(field, n)
            view = view[n:]

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break  # listener closed by stop()
            sock.settimeout(self._io_timeout)
            with self._lock:
                if self._stopping.is_set():
                    sock.close()
                    break
                self._conn_seq += 1
                self._counters.connections += 1
                self._live.add(sock)
                self._active += 1
                thread = threading.Thread(
                    target=self._serve,
                    args=(sock,),
                    name=f"fault-proxy-{self._port}-conn-{self._conn_seq}",
                    daemon=True,
                )
                self._threads.add(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        upstream: list[socket.socket] = []  # filled by _exchange once connected
        reset = False
        try:
            reset = self._exchange(client, upstream)
        except (_Incomplete, _BadMessage, OSError) as exc:
            # Clients that time out and leave, stop() shutting sockets down: all expected.
            logger.debug("fault proxy connection ended: %r", exc)
        except Exception:
            logger.exception("fault proxy: unexpected error")
        finally:
            for sock in upstream:
                if reset:
                    _reset(sock)
                else:
                    sock.close()
            if reset:
                _reset(client)
            else:
                self._close_gracefully(client)
            with self._idle:
                self._live.discard(client)
                self._live.difference_update(upstream)
                self._threads.discard(threading.current_thread())
                self._active -= 1
                self._idle.notify_all()

    def _close_gracefully(self, sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + _LINGER_S
            while not self._stopping.is_set() and (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                data = sock.recv(_RECV_SIZE)
                if not data:
                    break
                self._add("bytes_from_client", len(data))
        except OSError:
            pass
        finally:
            sock.close()

    def _read_request(self, reader: _Reader) -> _Message | None:
        try:
            start_line, headers = _read_head(reader)
            msg = _Message(start_line, headers, b"")
            if "100-continue" in (msg.header("Expect") or "").lower():
                # The client waits for this before sending its body; the upstream won't
                # see the Expect header, so it is ours to answer.
                self._send(reader.sock, b"HTTP/1.1 100 Continue\r\n\r\n", "bytes_to_client")
                msg.headers = [(k, v) for k, v in headers if k.lower() != "expect"]
            msg.body = _read_body(reader, msg, until_eof=False)
        except (_Incomplete, OSError) as exc:
            self._add("incomplete_requests", 1)
            logger.debug("fault proxy: incomplete request: %r", exc)
            return None
        except _BadMessage as exc:
            self._answer_bad_request(reader.sock, str(exc))
            return None
        if len(msg.start_line.split(" ")) != 3:
            self._answer_bad_request(reader.sock, f"bad request line {msg.start_line!r}")
            return None
        return msg

    def _answer_bad_request(self, client: socket.socket, detail: str) -> None:
        logger.warning("fault proxy: bad request from client: %s", detail)
        payload = {"error": "bad_request", "detail": detail}
        data = _synthetic(400, "Bad Request", None, payload)
        self._send(client, data, "bytes_to_client")

    def _exchange(self, client: socket.socket, upstream_out: list[socket.socket]) -> bool:
        """Handle one client connection; True if the sockets must be closed with RST."""
        reader = _Reader(client, lambda n: self._add("bytes_from_client", n))
        request = self._read_request(reader)
        if request is None:
            return False
        self._add("requests", 1)
        method, target, _ = request.start_line.split(" ")
        path = _path_of(target)
        fault = self._choose(path)

        if fault is Fault.DROP_REQUEST:
            self._record(method, path, fault)
            return False
        if fault is Fault.ERROR_500:
            self._record(method, path, fault)
            payload = {"error": "injected_fault", "fault": fault.name}
            data = _synthetic(500, "Internal Server Error", fault, payload)
            self._send(client, data, "bytes_to_client")
            return False
        if fault is Fault.UPSTREAM_DOWN:
            self._record(method, path, fault)
            self._send_bad_gateway(client, "scripted")
            return False
        if fault is Fault.DELAY:
            self._record(method, path, fault)
            if self._stopping.wait(self._delay_s):
                return False

        host, port = self.upstream
        try:
            sock = socket.create_connection((host, port), timeout=self._connect_timeout)
        except OSError as exc:
            if fault is not Fault.DELAY:
                self._record(method, path, Fault.UPSTREAM_DOWN)
            logger.debug("fault proxy: upstream %s:%d unreachable: %r", host, port, exc)
            self._send_bad_gateway(client, f"upstream {host}:{port} unreachable")
            return False
        sock.settimeout(self._io_timeout)
        upstream_out.append(sock)
        with self._lock:
            # stop() may have taken its snapshot of live sockets while we were connecting.
            if self._stopping.is_set():
                return False
            self._live.add(sock)
        if fault in _FORWARDING:
            self._record(method, path, fault)

        head = request.head_bytes()
        if fault is Fault.RESET_REQUEST_BODY:
            body = request.body
            cut = head + body[: len(body) // 2] if body else head[: len(head) // 2]
            self._send(sock, cut, "bytes_to_upstream")
            return True
        self._send(sock, head + request.body, "bytes_to_upstream")

        try:
            response = self._read_response(sock, method)
        except (_Incomplete, _BadMessage, OSError) as exc:
            self._add("upstream_errors", 1)
            logger.debug("fault proxy: upstream failed: %r", exc)
            if fault is not Fault.DROP_RESPONSE:
                self._send_bad_gateway(client, f"upstream failed: {exc!r}")
            return False

        if fault is Fault.DROP_RESPONSE:
            return False
        head = response.head_bytes()
        if fault is Fault.RESET_RESPONSE_BODY:
            half = response.body[: len(response.body) // 2]
            self._send(client, head + half, "bytes_to_client")
            return True
        self._send(client, head + response.body, "bytes_to_client")
        return False

    def _read_response(self, sock: socket.socket, method: str) -> _Message:
        reader = _Reader(sock, lambda n: self._add("bytes_from_upstream", n))
        while True:
            start_line, headers = _read_head(reader)
            parts = start_line.split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
                raise _BadMessage(f"bad status line {start_line!r}")
            status = int(parts[1])
            if not 100 <= status < 200 or status == 101:
                break  # interim 1xx responses are not relayed; the final one is
        msg = _Message(start_line, headers, b"")
        if method != "HEAD" and status not in (101, 204, 304):
            msg.body = _read_body(reader, msg, until_eof=True)
        return msg

    def _send_bad_gateway(self, client: socket.socket, detail: str) -> None:
        payload = {"error": "bad_gateway", "fault": Fault.UPSTREAM_DOWN.name, "detail": detail}
        data = _synthetic(502, "Bad Gateway", Fault.UPSTREAM_DOWN, payload)
        self._send(client, data, "bytes_to_client")
