"""``counter-app sync …`` (the counter's side) and ``counter-app hub …`` (the district's).

``sync`` pushes and pulls once and prints ``{"pushed", "pulled", "pending", "rejected"}``;
it exits 1 when the hub could not be reached (nothing is lost: run it again).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from counter_app.cli import EXIT_ERROR, EXIT_OK, CliError, _emit, _open, _read_json_file


class Adder(Protocol):
    def __call__(
        self,
        name: str,
        func: Callable[[argparse.Namespace], int],
        help_text: str,
        target: Any = ...,
    ) -> argparse.ArgumentParser: ...


# --------------------------------------------------------------------------- the counter


def cmd_sync(args: argparse.Namespace) -> int:
    from counter_app.sync import state
    from counter_app.sync.engine import client_for, run_sync

    ctx = _open(args)
    saved = state.load_config()
    url = args.hub or (saved.hub_url if saved else "")
    token = args.token or (saved.token if saved else "")
    ca_file = args.ca_file or (saved.ca_file if saved else None)
    if not url or not token:
        raise CliError(
            "Chưa có địa chỉ máy chủ huyện và mã truy cập: dùng --hub URL --token T "
            "(thêm --save để lưu), hoặc counter-app sync setup."
        )
    if args.save:
        state.configure(ctx, url, token, ca_file)
    client = client_for(state.SyncConfig(url, token, ca_file), timeout_s=args.timeout)
    report = run_sync(ctx, client)
    text = (
        f"Đã gửi {report.pushed} mục, từ chối {report.rejected}, nhận {report.pulled} thay đổi; "
        f"còn chờ {report.pending}."
    )
    if report.clock_warning:
        text += f"\nCẢNH BÁO: đồng hồ máy lệch {report.clock_offset_s} giây so với huyện."
    if report.error:
        text += f"\nLỗi: {report.error}"
    _emit(args, report.to_json(), text)
    return EXIT_ERROR if report.error else EXIT_OK


def cmd_sync_setup(args: argparse.Namespace) -> int:
    from counter_app.sync import state

    ctx = _open(args)
    config = state.configure(ctx, args.hub, args.token, args.ca_file)
    _emit(
        args,
        {"hub_url": config.hub_url, "ca_file": config.ca_file},
        f"Đã lưu máy chủ huyện {config.hub_url}.",
    )
    return EXIT_OK


def cmd_sync_status(args: argparse.Namespace) -> int:
    from counter_app.sync.state import sync_status

    _open(args, operator=False)
    status = sync_status()
    _emit(
        args,
        status.to_json(),
        f"Chờ gửi: {status.pending} · Bị từ chối: {status.rejected} · "
        f"Lần đồng bộ cuối: {status.last_sync_at or 'chưa'}"
        + (f"\nLỗi gần nhất: {status.last_error}" if status.last_error else ""),
    )
    return EXIT_OK


def cmd_sync_export(args: argparse.Namespace) -> int:
    from counter_app.services.accounts import current_operator
    from counter_app.sync.bundle import export_bundle

    ctx = _open(args)
    info = export_bundle(ctx, Path(args.out), actor=current_operator(ctx).username)
    _emit(args, info, f"Đã ghi {info['items']} mục vào {info['path']}.")
    return EXIT_OK


# --------------------------------------------------------------------------- the hub


def _hub(args: argparse.Namespace) -> None:
    from counter_app.hub.db import open_hub_db

    open_hub_db(args.db)


def cmd_hub_serve(args: argparse.Namespace) -> int:
    from counter_app.hub.forwarding import ForwardTarget
    from counter_app.hub.server import serve

    _hub(args)
    target = None
    if args.forward_url:
        target = ForwardTarget(
            args.forward_url, args.forward_token, args.forward_ca_file, args.unit or ""
        )
    print(f"Máy chủ huyện: http{'s' if args.cert else ''}://{args.host}:{args.port}/api/v1/")
    serve(
        host=args.host,
        port=args.port,
        cert=args.cert,
        key=args.key,
        forward=target,
        forward_interval_s=args.forward_interval,
    )
    return EXIT_OK


def cmd_hub_add_station(args: argparse.Namespace) -> int:
    from counter_app.hub.stations import add_station

    _hub(args)
    ref, token = add_station(args.agency_code, args.station, args.label or "")
    data = {"token": token, "agency_code": ref.agency_code, "station": ref.station}
    _emit(
        args,
        data,
        f"Mã truy cập cho máy {ref.station} của {ref.agency_code} (chỉ hiện một lần):\n{token}",
    )
    return EXIT_OK


def cmd_hub_revoke_station(args: argparse.Namespace) -> int:
    from counter_app.hub.stations import revoke_station

    _hub(args)
    count = revoke_station(args.agency_code, args.station)
    _emit(args, {"revoked": count}, f"Đã thu hồi {count} mã truy cập.")
    return EXIT_OK


def cmd_hub_stations(args: argparse.Namespace) -> int:
    from counter_app.hub.db import hub_db
    from counter_app.hub.stations import list_stations

    _hub(args)
    with hub_db.connection_context():
        rows = list_stations()
    lines = [
        f"{r['agency_code']} máy {r['station']}"
        + (" (đã thu hồi)" if r["revoked"] else "")
        + f"  lần cuối: {r['last_seen_at'] or 'chưa'}"
        for r in rows
    ]
    _emit(args, rows, "\n".join(lines) or "Chưa có máy nào.")
    return EXIT_OK


def cmd_hub_set_status(args: argparse.Namespace) -> int:
    from counter_app.hub.feed import set_status

    _hub(args)
    data = set_status(
        args.code, args.status, note=args.note or "", actor=args.actor or "", unit=args.unit or ""
    )
    _emit(args, data, f"Hồ sơ {data['code']}: {data['from']} → {data['to']}.")
    return EXIT_OK


def cmd_hub_import(args: argparse.Namespace) -> int:
    from counter_app.hub.bundles import import_bundle

    _hub(args)
    info = import_bundle(Path(args.file))
    _emit(
        args,
        info,
        f"Đã nạp gói của máy {info['station']} ({info['agency_code']}): {info['items']} mục, "
        f"mới {info['accepted']}, đã có {info['replayed']}, từ chối {info['rejected']}.",
    )
    return EXIT_OK


def cmd_hub_dossiers(args: argparse.Namespace) -> int:
    from counter_app.hub.db import hub_db
    from counter_app.hub.ingest import dossier_json
    from counter_app.hub.models import HubDossier

    _hub(args)
    with hub_db.connection_context():
        query = HubDossier.select().order_by(HubDossier.code)
        if args.agency_code:
            query = query.where(HubDossier.agency_code == args.agency_code.strip().upper())
        rows = [dossier_json(row) for row in query]
    lines = [f"{r['code']}  [{r['status']}]  hẹn trả {r['due_at']}" for r in rows]
    _emit(args, rows, "\n".join(lines) or "Huyện chưa có hồ sơ nào.")
    return EXIT_OK


def cmd_hub_publish_catalogue(args: argparse.Namespace) -> int:
    from counter_app.hub.feed import publish_catalogue

    _hub(args)
    info = publish_catalogue(_read_json_file(args.file))
    _emit(
        args,
        info,
        f"Đã phát hành danh mục: mới {info['created']}, đổi {info['changed']}, "
        f"giữ nguyên {info['unchanged']}.",
    )
    return EXIT_OK


def cmd_hub_publish_calendar(args: argparse.Namespace) -> int:
    from counter_app.hub.feed import publish_calendar

    _hub(args)
    info = publish_calendar(_read_json_file(args.file))
    _emit(args, info, f"Đã phát hành lịch năm {info['year']}.")
    return EXIT_OK


def cmd_hub_forward(args: argparse.Namespace) -> int:
    from counter_app.hub.forwarding import ForwardTarget, forward_pending

    _hub(args)
    report = forward_pending(ForwardTarget(args.to, args.token, args.ca_file, args.unit or ""))
    _emit(
        args,
        report.to_json(),
        f"Đã gửi tỉnh {report.sent} hồ sơ, lỗi {report.failed}, còn chờ {report.waiting}.",
    )
    return EXIT_ERROR if report.failed else EXIT_OK


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"cổng “{text}” phải là số") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("cổng phải từ 1 đến 65535")
    return value


def add_commands(add: Adder, sub: Any, common: argparse.ArgumentParser) -> None:
    p = add("sync", cmd_sync, "đồng bộ với máy chủ huyện (gửi rồi nhận)")
    p.add_argument("--hub", help="địa chỉ máy chủ huyện (mặc định: đã lưu)")
    p.add_argument("--token", help="mã truy cập của máy này (mặc định: đã lưu)")
    p.add_argument("--ca-file", help="tệp chứng chỉ CA của huyện (chỉ tin CA này)")
    p.add_argument("--save", action="store_true", help="lưu --hub/--token/--ca-file cho lần sau")
    p.add_argument("--timeout", type=float, default=30.0, help="giây chờ mỗi yêu cầu")
    sync_sub = p.add_subparsers(dest="subcommand", metavar="LỆNH")
    q = add("setup", cmd_sync_setup, "lưu địa chỉ máy chủ huyện và mã truy cập", sync_sub)
    q.add_argument("--hub", required=True)
    q.add_argument("--token", required=True)
    q.add_argument("--ca-file")
    add("status", cmd_sync_status, "tình trạng đồng bộ", sync_sub)
    q = add("export", cmd_sync_export, "ghi gói đồng bộ ra tệp (không cần mạng)", sync_sub)
    q.add_argument("--out", required=True, help="tệp gói, vd E:\\dongbo.mcb")

    hub = sub.add_parser("hub", help="máy chủ huyện", parents=[common])
    hub_sub = hub.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)

    def hub_cmd(
        name: str, func: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        q = add(name, func, help_text, hub_sub)
        q.add_argument("--db", required=True, help="CSDL của huyện: tệp SQLite hoặc postgresql://…")
        return q

    q = hub_cmd("serve", cmd_hub_serve, "chạy máy chủ huyện (HTTP)")
    q.add_argument("--host", default="127.0.0.1")
    q.add_argument("--port", type=_port, default=8470)
    q.add_argument("--cert", help="chứng chỉ TLS (PEM) để phục vụ HTTPS")
    q.add_argument("--key", help="khóa riêng TLS (PEM)")
    q.add_argument("--forward-url", help="địa chỉ nhận hồ sơ của hệ thống tỉnh")
    q.add_argument("--forward-token")
    q.add_argument("--forward-ca-file")
    q.add_argument("--forward-interval", type=float, default=30.0, help="giây giữa hai lần gửi")
    q.add_argument("--unit", help="tên đơn vị xử lý ghi trong dữ liệu gửi tỉnh")

    q = hub_cmd("add-station", cmd_hub_add_station, "đăng ký một máy quầy, cấp mã truy cập")
    q.add_argument("--agency-code", required=True)
    q.add_argument("--station", required=True, type=int)
    q.add_argument("--label")
    q = hub_cmd("revoke-station", cmd_hub_revoke_station, "thu hồi mã truy cập của một máy")
    q.add_argument("--agency-code", required=True)
    q.add_argument("--station", required=True, type=int)
    hub_cmd("stations", cmd_hub_stations, "các máy đã đăng ký")
    q = hub_cmd("set-status", cmd_hub_set_status, "ghi trạng thái do bộ phận xử lý quyết định")
    q.add_argument("code")
    q.add_argument("status", type=int)
    q.add_argument("--note")
    q.add_argument("--actor", help="người xử lý")
    q.add_argument("--unit", help="đơn vị xử lý")
    q = hub_cmd("import", cmd_hub_import, "nạp gói đồng bộ của một máy quầy")
    q.add_argument("file")
    q = hub_cmd("dossiers", cmd_hub_dossiers, "liệt kê hồ sơ huyện đang giữ")
    q.add_argument("--agency-code")
    q = hub_cmd("publish-catalogue", cmd_hub_publish_catalogue, "phát hành danh mục thủ tục")
    q.add_argument("file")
    q = hub_cmd("publish-calendar", cmd_hub_publish_calendar, "phát hành lịch nghỉ một năm")
    q.add_argument("file")
    q = hub_cmd("forward", cmd_hub_forward, "gửi ngay các hồ sơ đang chờ lên tỉnh")
    q.add_argument("--to", required=True, help="địa chỉ nhận của hệ thống tỉnh")
    q.add_argument("--token")
    q.add_argument("--ca-file")
    q.add_argument("--unit")
