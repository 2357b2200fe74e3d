"""Sending dossiers to the provincial endpoint over real HTTP (a local stub province)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput
from counter_app.hub.national import national_payload
from counter_app.hub.upstream_client import send_with_retries
from counter_app.services.catalogue import get_procedure
from counter_app.services.context import CounterContext
from counter_app.services.intake import IntakeRequest, receive

from ..support.province_stub import province_stub


class Sleeps(list[float]):
    """Stands in for time.sleep: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def payload(counter: CounterContext) -> dict[str, Any]:
    moment = datetime(2026, 11, 24, 8, 0, tzinfo=VN_TZ)
    applicant = ApplicantInput(name="Nguyễn Văn Đức", id_number="001090012345")
    detail = receive(counter, IntakeRequest("1.004873", applicant, received_at=moment))
    procedure = get_procedure(counter, "1.004873").to_json()
    return national_payload(detail.to_json(), [], unit_name="UBND xã An Hòa", procedure=procedure)


def test_a_valid_dossier_is_accepted_at_once_with_the_bearer_token(
    payload: dict[str, Any],
) -> None:
    sleeps = Sleeps()
    with province_stub(token="s3cret") as stub:
        result = send_with_retries(stub.url, payload, token="s3cret", sleep=sleeps)
    assert (result.ok, result.attempts, result.status_code, result.error) == (True, 1, 200, None)
    assert stub.received == [payload]
    assert stub.headers[0]["Authorization"] == "Bearer s3cret"
    assert stub.headers[0]["Content-Type"].startswith("application/json")
    assert sleeps == []


def test_busy_province_is_retried_with_growing_waits(payload: dict[str, Any]) -> None:
    sleeps = Sleeps()
    with province_stub(fail_first=2) as stub:
        result = send_with_retries(stub.url, payload, backoff_s=0.5, sleep=sleeps)
    assert (result.ok, result.attempts, result.status_code) == (True, 3, 200)
    assert sleeps == [0.5, 1.0]
    assert stub.requests == 3 and stub.received == [payload]


def test_too_many_requests_waits_as_long_as_asked(payload: dict[str, Any]) -> None:
    sleeps = Sleeps()
    with province_stub(fail_first=1, fail_status=429, retry_after="7") as stub:
        result = send_with_retries(stub.url, payload, backoff_s=0.5, sleep=sleeps)
    assert (result.ok, result.attempts) == (True, 2)
    assert sleeps == [7.0]


def test_gives_up_after_the_last_attempt_with_the_reason(payload: dict[str, Any]) -> None:
    sleeps = Sleeps()
    with province_stub(fail_first=100) as stub:
        result = send_with_retries(stub.url, payload, attempts=4, backoff_s=0.5, sleep=sleeps)
    assert (result.ok, result.attempts, result.status_code) == (False, 4, 503)
    assert result.error is not None
    assert "Đã thử 4 lần" in result.error and "bảo trì" in result.error
    assert sleeps == [0.5, 1.0, 2.0]  # no wait after the last attempt
    assert stub.requests == 4 and stub.received == []


def test_invalid_dossier_is_refused_once_with_the_fields_named(payload: dict[str, Any]) -> None:
    broken = {**payload, "NgayTiepNhan": "2026-11-24 08:00", "TrangThaiHoSo": "12"}
    del broken["MaHoSo"]
    sleeps = Sleeps()
    with province_stub() as stub:
        result = send_with_retries(stub.url, broken, sleep=sleeps)
    assert (result.ok, result.attempts, result.status_code) == (False, 1, 400)
    assert result.error is not None
    for name in ("MaHoSo", "TrangThaiHoSo", "NgayTiepNhan"):
        assert name in result.error
    assert stub.requests == 1 and sleeps == []
    ((sent, problems),) = stub.rejected
    assert sent == broken
    assert [p.split(":")[0] for p in problems] == ["MaHoSo", "TrangThaiHoSo", "NgayTiepNhan"]


def test_wrong_token_is_not_retried(payload: dict[str, Any]) -> None:
    with province_stub(token="s3cret") as stub:
        result = send_with_retries(stub.url, payload, token="old", sleep=Sleeps())
    assert (result.ok, result.attempts, result.status_code) == (False, 1, 401)
    assert result.error == "HTTP 401: Sai hoặc thiếu mã xác thực."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_no_server_listening_is_retried_then_reported(payload: dict[str, Any]) -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{_free_port()}/api"
    result = send_with_retries(url, payload, attempts=3, sleep=sleeps)
    assert (result.ok, result.attempts, result.status_code) == (False, 3, None)
    assert result.error is not None and "Không kết nối được" in result.error
    assert len(sleeps) == 2


def test_a_server_that_never_answers_times_out(payload: dict[str, Any]) -> None:
    # Listening but never accepting: the connection opens, no answer ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/api"
        result = send_with_retries(url, payload, attempts=2, timeout_s=0.3, sleep=Sleeps())
    assert (result.ok, result.attempts) == (False, 2)
    assert result.error is not None and "Hết thời gian chờ (0.3 giây)" in result.error


@pytest.fixture
def refusing_portal() -> Iterator[str]:
    """A portal that says no inside a 200, as the national one does (error_code ≠ 0)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps({"error_code": "-1", "message": "Mã TTHC không tồn tại"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_refusal_inside_a_200_is_not_success(
    payload: dict[str, Any], refusing_portal: str
) -> None:
    result = send_with_retries(refusing_portal, payload, sleep=Sleeps())
    assert (result.ok, result.attempts, result.status_code) == (False, 1, 200)
    assert result.error == "Bị từ chối (error_code -1): Mã TTHC không tồn tại"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[str, str]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def test_https_checks_the_certificate(
    payload: dict[str, Any], certificate: tuple[str, str]
) -> None:
    cert, _ = certificate
    with province_stub(tls=certificate) as stub:
        assert stub.url.startswith("https://")
        # Not signed by any CA the system trusts: refused, and not retried.
        untrusted = send_with_retries(stub.url, payload, sleep=Sleeps())
        # The province's own CA file makes it trusted.
        trusted = send_with_retries(stub.url, payload, ca_file=cert, sleep=Sleeps())
    assert (untrusted.ok, untrusted.attempts, untrusted.status_code) == (False, 1, None)
    assert untrusted.error is not None and "Chứng chỉ" in untrusted.error
    assert (trusted.ok, trusted.attempts) == (True, 1)
    assert stub.received == [payload]


def test_a_bad_address_is_a_configuration_error(payload: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        send_with_retries("ftp://province.example/api", payload)
    with pytest.raises(ValueError):
        send_with_retries("http://127.0.0.1:1/api", payload, attempts=0)
