"""Send one JSON payload to the provincial endpoint, retrying what may pass on a retry.

Standard library only. HTTPS verifies the server's certificate and host name (against the
system store, or ``ca_file`` for a province's own CA). Retried: connection errors, timeouts,
HTTP 5xx and 429, with exponential backoff. Not retried: other 4xx (the payload or the token
is wrong; resending cannot help), redirects (the configured address is wrong) and a failed
certificate check. Some portals answer 200 with ``{"error_code": "<not 0>", "message": …}``
(the national portal does); that is a refusal too.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_BACKOFF_S = 60.0
MAX_ERROR_TEXT = 500


@dataclass(frozen=True)
class SendResult:
    ok: bool
    attempts: int
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    retry_after: float | None


class _Unreachable(Exception):
    """A transport failure; ``retry`` says whether another attempt may succeed."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def _post(
    url: str, body: bytes, headers: dict[str, str], timeout_s: float, ctx: ssl.SSLContext | None
) -> _Answer:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout_s, context=ctx
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout_s)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return _Answer(response.status, data, _retry_after(response.getheader("Retry-After")))
    except ssl.SSLCertVerificationError as err:
        raise _Unreachable(
            f"Chứng chỉ của máy chủ không hợp lệ: {err.verify_message or err}", retry=False
        ) from err
    except TimeoutError as err:
        raise _Unreachable(f"Hết thời gian chờ ({timeout_s:g} giây).", retry=True) from err
    except (OSError, http.client.HTTPException) as err:
        raise _Unreachable(f"Không kết nối được tới {parts.hostname}: {err}", retry=True) from err
    finally:
        conn.close()


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:  # an HTTP date: rare, and the backoff is good enough then
        return None


def _error_text(answer: _Answer) -> str:
    """The receiver's own words for a refusal: ``errors``, ``error``, ``message`` or the body."""
    text = answer.body.decode("utf-8", errors="replace").strip()
    try:
        data: Any = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("errors", "error", "message", "detail"):
            value = data.get(key)
            if isinstance(value, list) and value:
                text = "; ".join(str(item) for item in value)
                break
            if value:
                text = str(value)
                break
    text = text[:MAX_ERROR_TEXT] or "(không có nội dung)"
    return f"HTTP {answer.status}: {text}"


def _refusal_in_ok(answer: _Answer) -> str | None:
    """A 200 that says no (``error_code`` other than 0), else None."""
    try:
        data: Any = json.loads(answer.body.decode("utf-8"))
    except ValueError:
        return None
    if isinstance(data, dict) and str(data.get("error_code", "0")).strip() not in ("0", ""):
        return f"Bị từ chối (error_code {data['error_code']}): {data.get('message', '')}".strip()
    return None


def _context(ca_file: str | None) -> ssl.SSLContext:
    # create_default_context: CERT_REQUIRED and host-name checking, the secure defaults.
    return ssl.create_default_context(cafile=ca_file)


def send_with_retries(
    url: str,
    payload: dict[str, Any],
    *,
    token: str | None = None,
    attempts: int = 5,
    backoff_s: float = 0.5,
    timeout_s: float = 10.0,
    ca_file: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """POST ``payload`` as JSON to ``url``; at most ``attempts`` tries."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ValueError(f"Địa chỉ máy chủ tỉnh không hợp lệ: {url!r}")
    ctx = _context(ca_file) if scheme == "https" else None
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"

    status: int | None = None
    error = ""
    for attempt in range(1, attempts + 1):
        wait = min(backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S)
        try:
            answer = _post(url, body, headers, timeout_s, ctx)
        except _Unreachable as err:
            status, error = None, str(err)
            if not err.retry:
                return SendResult(False, attempt, None, error)
        else:
            status = answer.status
            if 200 <= answer.status < 300:
                refusal = _refusal_in_ok(answer)
                if refusal is None:
                    return SendResult(True, attempt, status, None)
                return SendResult(False, attempt, status, refusal)
            error = _error_text(answer)
            if answer.status != 429 and answer.status < 500:
                return SendResult(False, attempt, status, error)
            if answer.retry_after is not None:
                wait = min(max(wait, answer.retry_after), MAX_BACKOFF_S)
        if attempt < attempts:
            sleep(wait)
    return SendResult(False, attempts, status, f"Đã thử {attempts} lần, không gửi được. {error}")
