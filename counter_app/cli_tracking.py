"""``counter-app`` commands that follow a dossier after intake: status, handover, return,
and a supervisor's corrections (amend, cancel).

Each command is one service call (one transaction); a refused action exits 2 with the
reason on stderr and changes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from counter_app.cli import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    _emit,
    _open,
    _parse_day,
    _parse_moment,
    _report,
)

Adder = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def _at(args: argparse.Namespace) -> Any:
    return _parse_moment(args.at, "--at") if args.at else None


def _print_dossier(args: argparse.Namespace, detail: Any, headline: str) -> int:
    from counter_app.domain.clock import iso

    s = detail.summary
    _emit(
        args,
        detail.to_json(),
        f"{headline}\n{s.code}  [{s.status}] {s.status_name}  Hẹn trả: {iso(s.due_at)}",
    )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from counter_app.services.tracking import change_status

    ctx = _open(args)
    detail = change_status(ctx, args.code, args.set, note=args.note or "", at=_at(args))
    return _print_dossier(args, detail, "Đã chuyển trạng thái.")


def cmd_handover(args: argparse.Namespace) -> int:
    from counter_app.services.tracking import hand_over

    ctx = _open(args)
    detail = hand_over(
        ctx,
        args.code,
        args.to,
        giver=args.giver or "",
        taker=args.taker or "",
        note=args.note or "",
        result_ready=args.result_ready,
        at=_at(args),
    )
    step = detail.handovers[-1]
    return _print_dossier(args, detail, f"Đã chuyển: {step.from_party} → {step.to_party}.")


def cmd_return(args: argparse.Namespace) -> int:
    from counter_app.services.returns import ReturnRequest, return_result

    ctx = _open(args)
    request = ReturnRequest(
        receiver_name=args.receiver,
        receiver_kind="authorised" if args.authorised_id else "applicant",
        receiver_id_number=args.authorised_id or "",
        channel="post" if args.post else "counter",
        rating=args.rating,
        comment=args.comment or "",
        at=_at(args),
    )
    detail = return_result(ctx, args.code, request)
    return _print_dossier(args, detail, f"Đã trả kết quả cho {request.receiver_name.strip()}.")


def _supervisor_only(run: Callable[[], int]) -> int:
    """A refusal for the operator's role exits 2 like any refused input (it was audited)."""
    from counter_app.services.accounts import PermissionDeniedError

    try:
        return run()
    except PermissionDeniedError as err:
        _report(err.message)
        return EXIT_BAD_INPUT


def cmd_amend(args: argparse.Namespace) -> int:
    from counter_app.cli import CliError
    from counter_app.domain.identity import Sex
    from counter_app.services.corrections import AMENDABLE, ApplicantChanges, amend_dossier

    clear = frozenset(name for name in ("dob", "sex") if getattr(args, f"clear_{name}"))
    for name in clear:
        if getattr(args, name) is not None:
            raise CliError(f"--{name} và --clear-{name}: chỉ dùng một trong hai.")
    changes = ApplicantChanges(
        name=args.name,
        id_number=args.id_number,
        tax_code=args.tax_code,
        dob=_parse_day(args.dob, "--dob") if args.dob is not None else None,
        sex=Sex(args.sex) if args.sex else None,
        address=args.address,
        phone=args.phone,
        email=args.email,
        note=args.note,
        clear=clear,
    )
    if not changes.given():
        options = ", ".join("--" + name.replace("_", "-") for name in AMENDABLE)
        raise CliError(f"Chưa có thông tin nào cần sửa: dùng ít nhất một trong {options}.")

    def run() -> int:
        ctx = _open(args)
        detail = amend_dossier(ctx, args.code, changes, args.reason)
        return _print_dossier(args, detail, f"Đã sửa thông tin: {detail.history[-1].note}")

    return _supervisor_only(run)


def cmd_cancel(args: argparse.Namespace) -> int:
    from counter_app.services.corrections import cancel_dossier

    def run() -> int:
        ctx = _open(args)
        detail = cancel_dossier(ctx, args.code, args.reason, cause=args.cause)
        return _print_dossier(
            args, detail, "Đã hủy hồ sơ nhập nhầm (hồ sơ vẫn giữ trong sổ theo dõi)."
        )

    return _supervisor_only(run)


def cmd_register(args: argparse.Namespace) -> int:
    from pathlib import Path

    from counter_app.services.forms import register_pdf

    ctx = _open(args)
    date_from = _parse_day(args.date_from, "--from")
    date_to = _parse_day(args.date_to, "--to")
    path = register_pdf(ctx, date_from, date_to, Path(args.out))
    _emit(args, {"register": str(path)}, f"Sổ theo dõi hồ sơ: {path}")
    return EXIT_OK


def cmd_form(args: argparse.Namespace) -> int:
    from pathlib import Path

    from counter_app.services.forms import control_slip_pdf, latest_notice_id, notice_pdf

    ctx = _open(args)
    out = Path(args.out) if args.out else None
    if args.form == "06":
        path = control_slip_pdf(ctx, args.code, out=out)
    else:
        path = notice_pdf(ctx, latest_notice_id(ctx, args.code, args.form), out=out)
    _emit(args, {"code": args.code.strip().upper(), "form": args.form, "pdf": str(path)}, str(path))
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from counter_app.domain.clock import iso
    from counter_app.services.search import search

    ctx = _open(args)
    found = search(ctx, args.text, limit=args.limit)
    lines = [
        f"{s.code}  {s.applicant_name}  [{s.status}] {s.status_name}  hẹn {iso(s.due_at)}"
        for s in found
    ]
    _emit(args, [s.to_json() for s in found], "\n".join(lines) or "Không tìm thấy hồ sơ nào.")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from counter_app.services.reports import build_report
    from counter_app.services.settings import require_settings

    ctx = _open(args)
    date_from = _parse_day(args.date_from, "--from")
    date_to = _parse_day(args.date_to, "--to")
    report = build_report(ctx, date_from, date_to)
    settings = require_settings(ctx)
    written: dict[str, str] = {}
    if args.xlsx:
        from counter_app.services.report_xlsx import write_report_xlsx

        path = write_report_xlsx(report, Path(args.xlsx), agency_name=settings.agency_name)
        written["xlsx"] = str(path)
    if args.pdf:
        from counter_app.documents.report_pdf import write_report_pdf

        path = write_report_pdf(
            report,
            Path(args.pdf),
            agency_name=settings.agency_name.upper(),
            place_name=settings.place_name,
        )
        written["pdf"] = str(path)
    t = report.total
    text = "\n".join(
        [
            f"{report.period_label}: tiếp nhận {t.received}, đã giải quyết {t.resolved}, "
            f"đã trả {t.returned}, quá hạn {t.overdue}, đang xử lý {t.pending}",
            *(f"Đã ghi {kind}: {path}" for kind, path in written.items()),
        ]
    )
    data = report.to_json()
    if written:
        data = {**data, "files": written}
    _emit(args, data, text)
    return EXIT_OK


def _status_code(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"mã trạng thái phải là số 1–10, nhận được '{text}'")
    return int(text)


def add_commands(add: Adder) -> None:
    p = add("status", cmd_status, "chuyển trạng thái hồ sơ (mã 1–10)")
    p.add_argument("code")
    p.add_argument("--set", required=True, type=_status_code, help="trạng thái mới (1–10)")
    p.add_argument("--note", help="ghi chú; bắt buộc là lý do khi chuyển sang 3, 5, 7, 8")
    p.add_argument("--at", help="thời điểm (ISO 8601), khi ghi lại việc đã làm trên giấy")

    p = add("handover", cmd_handover, "chuyển hồ sơ cho cơ quan giải quyết, hoặc nhận lại")
    p.add_argument("code")
    p.add_argument("--to", required=True, help='nơi nhận, vd "Công chức Tư pháp - Hộ tịch"')
    p.add_argument("--giver", help="người giao")
    p.add_argument("--taker", help="người nhận")
    p.add_argument("--note")
    p.add_argument(
        "--result-ready",
        action="store_true",
        help="cơ quan giải quyết trả kết quả về quầy (hồ sơ chuyển sang 9, đã xử lý xong)",
    )
    p.add_argument("--at", help="thời điểm (ISO 8601)")

    p = add("return", cmd_return, "trả kết quả cho công dân và ghi mức hài lòng")
    p.add_argument("code")
    p.add_argument("--receiver", required=True, help="họ tên người nhận kết quả")
    p.add_argument("--authorised-id", help="số CCCD nếu là người được ủy quyền")
    p.add_argument("--post", action="store_true", help="trả qua dịch vụ bưu chính")
    p.add_argument(
        "--rating",
        type=int,
        choices=[1, 2, 3],
        help="1 Rất hài lòng · 2 Hài lòng · 3 Không hài lòng",
    )
    p.add_argument("--comment", help="ý kiến của công dân")
    p.add_argument("--at", help="thời điểm trả (ISO 8601)")

    p = add("amend", cmd_amend, "sửa thông tin người nộp của hồ sơ đã tiếp nhận (trưởng bộ phận)")
    p.add_argument("code")
    p.add_argument("--reason", required=True, help="lý do sửa (bắt buộc)")
    p.add_argument("--name", help="họ tên (tên tổ chức) đúng")
    p.add_argument("--id-number", help="số CCCD đúng (công dân)")
    p.add_argument("--tax-code", help="mã số thuế đúng (tổ chức)")
    p.add_argument("--dob", help="ngày sinh đúng (YYYY-MM-DD)")
    p.add_argument("--clear-dob", action="store_true", help="xóa ngày sinh đã nhập")
    p.add_argument("--sex", choices=["M", "F"], help="giới tính đúng: M nam, F nữ")
    p.add_argument("--clear-sex", action="store_true", help="xóa giới tính đã nhập")
    p.add_argument("--address", help='địa chỉ đúng ("" để xóa)')
    p.add_argument("--phone", help='số điện thoại đúng ("" để xóa)')
    p.add_argument("--email", help='email đúng ("" để xóa)')
    p.add_argument("--note", help='ghi chú khi tiếp nhận ("" để xóa)')

    p = add("cancel", cmd_cancel, "hủy hồ sơ nhập nhầm; hồ sơ vẫn giữ trong sổ (trưởng bộ phận)")
    p.add_argument("code")
    p.add_argument("--reason", required=True, help="lý do hủy (bắt buộc)")
    p.add_argument(
        "--cause",
        choices=["duplicate", "wrong_procedure", "other"],
        default="other",
        help="duplicate: nhập trùng · wrong_procedure: nhầm thủ tục · other: khác (mặc định)",
    )

    p = add("register", cmd_register, "in Sổ theo dõi hồ sơ (Mẫu 07) ra PDF")
    p.add_argument("--from", dest="date_from", required=True, help="từ ngày (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", required=True, help="đến ngày (YYYY-MM-DD)")
    p.add_argument("--out", required=True, help="tệp PDF")

    p = add("form", cmd_form, "in phiếu của hồ sơ: 02, 03, 04, 05 (phiếu đã lập) hoặc 06")
    p.add_argument("code")
    p.add_argument("form", choices=["02", "03", "04", "05", "06"])
    p.add_argument("--out", help="tệp PDF (mặc định: thư mục giấy tờ của quầy)")

    p = add("search", cmd_search, "tìm hồ sơ theo mã, họ tên, số CCCD, điện thoại")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=50, help="số hồ sơ tối đa (mặc định 50)")

    p = add("report", cmd_report, "số liệu kết quả giải quyết của một kỳ")
    p.add_argument("--from", dest="date_from", required=True, help="từ ngày (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", required=True, help="đến ngày (YYYY-MM-DD)")
    p.add_argument("--xlsx", help="ghi ra tệp Excel")
    p.add_argument("--pdf", help="ghi ra tệp PDF")
