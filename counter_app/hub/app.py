"""The hub's HTTP API (ASGI, Starlette): ``/api/v1/…``, JSON bodies, gzip both ways.

- Every request carries ``Authorization: Bearer <token>``; a station sees and writes only
  its own agency's dossiers.
- Bodies are limited on the wire and after gunzip; errors are JSON that say what was wrong
  (``{"error": {"code", "message"}}``, message in Vietnamese).
- Every answer carries the hub's clock (``server_time`` and the ``X-Hub-Time`` header) so a
  station can measure its offset.
- Database work runs in the thread pool; the event loop only moves bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from peewee import OperationalError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from counter_app import __version__
from counter_app.domain.clock import iso, now_vn
from counter_app.hub.audit_heads import BadHead, known_id, record_head
from counter_app.hub.db import hub_db
from counter_app.hub.feed import changes_after
from counter_app.hub.ingest import agency_of, apply_items, dossier_json
from counter_app.hub.models import HubDossier, HubStatusEntry
from counter_app.hub.stations import StationRef, authenticate, note_contact
from counter_app.sync.protocol import (
    AUDIT_PATH,
    CHANGES_PAGE,
    CHANGES_PATH,
    DOSSIERS_PATH,
    HELLO_PATH,
    MAX_BODY_BYTES,
    PUSH_PATH,
    BadBody,
    canonical_json,
    decode_json,
    parse_items,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def create_app(*, clock: Clock = now_vn, max_body: int = MAX_BODY_BYTES) -> Starlette:
    """The hub application; ``hub_db`` must already be open (``open_hub_db``)."""

    def reply(data: dict[str, Any], status: int = 200) -> Response:
        moment = iso(clock())
        body = canonical_json({**data, "server_time": moment})
        return Response(
            body,
            status_code=status,
            media_type="application/json; charset=utf-8",
            headers={"X-Hub-Time": moment, "Cache-Control": "no-store"},
        )

    def error(status: int, code: str, message: str) -> Response:
        return reply({"error": {"code": code, "message": message}}, status)

    async def read_body(request: Request) -> Any:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body:
            raise ApiError(413, "too_large", f"Nội dung quá lớn (tối đa {max_body} byte).")
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_body:
                    raise ApiError(413, "too_large", f"Nội dung quá lớn (tối đa {max_body} byte).")
                chunks.append(chunk)
        except ClientDisconnect:  # cut off mid-body: nothing was read, nothing is applied
            raise ApiError(400, "incomplete", "Kết nối bị ngắt khi đang gửi nội dung.") from None
        encoding = request.headers.get("content-encoding", "identity").lower()
        if encoding not in ("identity", "gzip"):
            raise ApiError(415, "bad_encoding", f"Không hỗ trợ Content-Encoding “{encoding}”.")
        try:
            return decode_json(b"".join(chunks), gzipped=encoding == "gzip")
        except BadBody as err:
            raise ApiError(400, "bad_body", str(err)) from None

    def station_of(request: Request) -> StationRef:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthenticated", "Thiếu mã truy cập (Authorization: Bearer …).")
        with hub_db.connection_context():
            station = authenticate(token.strip())
            if station is None:
                raise ApiError(401, "bad_token", "Mã truy cập không đúng hoặc đã bị thu hồi.")
            offset = request.headers.get("x-clock-offset")
            note_contact(station, int(offset) if offset and offset.lstrip("-").isdigit() else None)
        return station

    def guarded(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                data = await handler(request)
            except ApiError as err:
                return error(err.status, err.code, err.message)
            except OperationalError as err:
                log.warning("hub database unavailable: %s", err)
                return error(503, "unavailable", "CSDL của huyện đang bận; hãy thử lại sau.")
            return reply(data)

        return endpoint

    async def hello(request: Request) -> dict[str, Any]:
        station = await run_in_threadpool(station_of, request)
        return {
            "api": 1,
            "version": __version__,
            "station": {"agency_code": station.agency_code, "station": station.station},
        }

    async def push(request: Request) -> dict[str, Any]:
        body = await read_body(request)
        try:
            items = parse_items(body)
        except BadBody as err:
            raise ApiError(400, "bad_items", str(err)) from None

        def work() -> list[dict[str, Any]]:
            station = station_of(request)
            with hub_db.connection_context():
                return [r.to_json() for r in apply_items(station, items, via="push")]

        return {"results": await run_in_threadpool(work)}

    async def audit_known(request: Request) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            station = station_of(request)
            with hub_db.connection_context():
                return {"known_id": known_id(station)}

        return await run_in_threadpool(work)

    async def audit_report(request: Request) -> dict[str, Any]:
        body = await read_body(request)

        def work() -> dict[str, Any]:
            station = station_of(request)
            with hub_db.connection_context(), hub_db.atomic():
                return record_head(station, body)

        try:
            return await run_in_threadpool(work)
        except BadHead as err:
            raise ApiError(400, "bad_audit_head", str(err)) from None

    async def changes(request: Request) -> dict[str, Any]:
        after = _int_param(request, "after", 0, minimum=0)
        limit = _int_param(request, "limit", CHANGES_PAGE, minimum=1, maximum=1000)

        def work() -> dict[str, Any]:
            station = station_of(request)
            with hub_db.connection_context():
                rows, more = changes_after(station, after, limit)
            return {"changes": rows, "more": more}

        return await run_in_threadpool(work)

    async def dossiers(request: Request) -> dict[str, Any]:
        after = request.query_params.get("after", "")
        limit = _int_param(request, "limit", 500, minimum=1, maximum=5000)

        def work() -> dict[str, Any]:
            station = station_of(request)
            with hub_db.connection_context():
                rows = list(
                    HubDossier.select()
                    .where(
                        (HubDossier.agency_code == station.agency_code) & (HubDossier.code > after)
                    )
                    .order_by(HubDossier.code)
                    .limit(limit)
                )
            return {"dossiers": [dossier_json(r) for r in rows]}

        return await run_in_threadpool(work)

    async def one_dossier(request: Request) -> dict[str, Any]:
        code = str(request.path_params["code"]).strip().upper()

        def work() -> dict[str, Any]:
            station = station_of(request)
            if agency_of(code) != station.agency_code:
                raise ApiError(403, "forbidden", f"Hồ sơ {code} không thuộc đơn vị của máy này.")
            with hub_db.connection_context():
                row = HubDossier.get_or_none(HubDossier.code == code)
                if row is None:
                    raise ApiError(404, "not_found", f"Huyện chưa có hồ sơ {code}.")
                history = [
                    {
                        "from": h.from_status,
                        "to": h.to_status,
                        "at": iso(h.at),
                        "actor": h.actor,
                        "note": h.note,
                        "source": h.source,
                    }
                    for h in HubStatusEntry.select()
                    .where(HubStatusEntry.code == code)
                    .order_by(HubStatusEntry.position)
                ]
            return {"dossier": {**dossier_json(row), "history": history}}

        return await run_in_threadpool(work)

    async def not_found(request: Request, exc: Exception) -> Response:
        return error(404, "not_found", f"Không có đường dẫn {request.url.path} (API: /api/v1/…).")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return error(405, "method_not_allowed", f"{request.method} không dùng được ở đây.")

    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("hub request failed", exc_info=exc)
        return error(500, "internal", "Lỗi bên trong máy chủ huyện; đã ghi nhật ký.")

    routes = [
        Route(HELLO_PATH, guarded(hello), methods=["GET"]),
        Route(PUSH_PATH, guarded(push), methods=["POST"]),
        Route(CHANGES_PATH, guarded(changes), methods=["GET"]),
        Route(DOSSIERS_PATH, guarded(dossiers), methods=["GET"]),
        Route(AUDIT_PATH, guarded(audit_known), methods=["GET"]),
        Route(AUDIT_PATH, guarded(audit_report), methods=["POST"]),
        Route(DOSSIERS_PATH + "/{code}", guarded(one_dossier), methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=512)],
        exception_handlers={404: not_found, 405: not_allowed, 500: crashed},
    )


def _int_param(
    request: Request, name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_param", f"Tham số {name}=“{raw}” phải là số nguyên.") from None
    if value < minimum or (maximum is not None and value > maximum):
        top = f" đến {maximum}" if maximum is not None else ""
        raise ApiError(400, "bad_param", f"Tham số {name} phải từ {minimum}{top}.")
    return value
