"""A small HTTP client for the hub: gzip JSON, bearer token, verified TLS, clock sampling.

Standard library only (``http.client``): one connection per request, so a half-dead link
never leaves a poisoned keep-alive socket behind, and every request has its own timeout.
Certificates are always verified; ``ca_file`` pins the hub's own CA (only that CA is
trusted then).
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlparse

from counter_app.domain.clock import now_vn, parse_iso
from counter_app.errors import ConfigurationError, KnownError
from counter_app.sync.protocol import decode_json, encode_body

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 30.0


class SyncNetworkError(KnownError):
    """The hub could not be reached or did not answer: try again later, nothing is lost."""


class HubRefused(KnownError):
    """The hub answered with a refusal that a retry will not change (bad token, bad body)."""

    def __init__(self, message: str, status: int, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]
    clock_offset: timedelta | None  # hub clock minus station clock, at the request's middle
    bytes_sent: int
    bytes_received: int


class HubClient:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        ca_file: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        clock_offset_hint: int | None = None,
    ) -> None:
        parsed = urlparse(url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigurationError(
                f"Địa chỉ máy chủ huyện “{url}” không hợp lệ (ví dụ https://huyen.example:8443)."
            )
        if not token.strip():
            raise ConfigurationError("Thiếu mã truy cập của máy này (token do huyện cấp).")
        self.scheme = parsed.scheme
        self.host = parsed.hostname
        self.port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self.base = parsed.path.rstrip("/")
        self.token = token.strip()
        self.timeout_s = timeout_s
        self.clock_offset_hint = clock_offset_hint
        self._tls: ssl.SSLContext | None = None
        if self.scheme == "https":
            try:
                self._tls = ssl.create_default_context(cafile=ca_file or None)
            except (OSError, ssl.SSLError) as err:
                raise ConfigurationError(
                    f"Không đọc được tệp chứng chỉ CA {ca_file}: {err}"
                ) from err

    def _connection(self) -> http.client.HTTPConnection:
        if self._tls is not None:
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout_s, context=self._tls
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)

    def request(
        self, method: str, path: str, *, body: Any = None, params: dict[str, Any] | None = None
    ) -> Answer:
        target = self.base + path + (f"?{urlencode(params)}" if params else "")
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
            "Connection": "close",
        }
        if self.clock_offset_hint is not None:
            headers["X-Clock-Offset"] = str(self.clock_offset_hint)
        raw_body = b""
        if body is not None:
            raw_body = encode_body(body)
            headers["Content-Type"] = "application/json"
            headers["Content-Encoding"] = "gzip"
        conn = self._connection()
        sent_at = now_vn()
        started = time.monotonic()
        try:
            conn.request(method, target, body=raw_body or None, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
            encoding = (response.getheader("Content-Encoding") or "").lower()
            hub_time = response.getheader("X-Hub-Time")
        except ssl.SSLCertVerificationError as err:
            raise SyncNetworkError(
                f"Chứng chỉ của máy chủ huyện không hợp lệ ({err.verify_message}); "
                "không gửi dữ liệu. Hãy kiểm tra địa chỉ và tệp CA."
            ) from err
        except (OSError, http.client.HTTPException) as err:
            raise SyncNetworkError(_network_message(err)) from err
        finally:
            conn.close()
        elapsed = time.monotonic() - started
        offset = None
        if hub_time:
            try:
                middle = sent_at + timedelta(seconds=elapsed / 2)
                offset = parse_iso(hub_time) - middle
            except ValueError:
                offset = None
        try:
            payload = decode_json(data, gzipped=encoding == "gzip") if data else {}
        except ValueError as err:
            if status >= 500:
                raise SyncNetworkError(f"Máy chủ huyện lỗi (HTTP {status}).") from err
            raise SyncNetworkError(f"Máy chủ huyện trả lời không đọc được: {err}") from err
        if not isinstance(payload, dict):
            payload = {}
        if status >= 400:
            found = payload.get("error")
            problem: dict[str, Any] = found if isinstance(found, dict) else {}
            message = str(problem.get("message") or f"HTTP {status}")
            if status >= 500 or status in (408, 429):
                raise SyncNetworkError(f"Máy chủ huyện tạm thời không xử lý được: {message}")
            raise HubRefused(
                f"Máy chủ huyện từ chối: {message}", status, str(problem.get("code") or "")
            )
        return Answer(payload, offset, len(raw_body), len(data))

    def get(self, path: str, **params: Any) -> Answer:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: Any) -> Answer:
        return self.request("POST", path, body=body)


def _network_message(err: BaseException) -> str:
    if isinstance(err, socket.timeout | TimeoutError):
        return "Máy chủ huyện không trả lời kịp (quá thời gian chờ). Dữ liệu vẫn được giữ ở quầy."
    if isinstance(err, ConnectionRefusedError):
        return "Không kết nối được máy chủ huyện (máy chủ chưa chạy?). Dữ liệu vẫn được giữ."
    if isinstance(err, socket.gaierror):
        return "Không tìm thấy máy chủ huyện (mất mạng hoặc sai địa chỉ). Dữ liệu vẫn được giữ."
    return f"Đường truyền tới huyện bị gián đoạn ({err}). Dữ liệu vẫn được giữ ở quầy."
