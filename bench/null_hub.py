"""The baseline hub for bench_sync: same server, framework, gzip and JSON work, no database.

``python -m bench.null_hub PORT`` answers every push with "accepted" for each item, so
the ratio real/null is what the hub's exactly-once bookkeeping costs on top of moving
and parsing the bytes.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from counter_app.domain.clock import iso, now_vn
from counter_app.sync.protocol import canonical_json, decode_json, parse_items


async def push(request: Request) -> Response:
    body = decode_json(await request.body(), gzipped=True)
    items = parse_items(body)
    results = [{"id": item.id, "outcome": "accepted"} for item in items]
    moment = iso(now_vn())
    return Response(
        canonical_json({"results": results, "server_time": moment}),
        media_type="application/json",
        headers={"X-Hub-Time": moment},
    )


async def changes(request: Request) -> Response:
    moment = iso(now_vn())
    return Response(
        canonical_json({"changes": [], "more": False, "server_time": moment}),
        media_type="application/json",
        headers={"X-Hub-Time": moment},
    )


app = Starlette(
    routes=[
        Route("/api/v1/push", push, methods=["POST"]),
        Route("/api/v1/changes", changes, methods=["GET"]),
    ],
    middleware=[Middleware(GZipMiddleware, minimum_size=512)],
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
