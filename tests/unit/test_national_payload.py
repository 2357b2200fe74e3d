"""A real dossier's life, as the national portal's dossier-sync payload."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from counter_app.domain.clock import VN_TZ, iso
from counter_app.domain.identity import ApplicantInput, ApplicantKind
from counter_app.hub.national import national_payload, stamp, validate_national_payload
from counter_app.services.catalogue import get_procedure
from counter_app.services.context import CounterContext
from counter_app.services.dto import DocumentLine
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.returns import ReturnRequest, return_result
from counter_app.services.tracking import (
    apologise,
    change_status,
    hand_over,
    refuse,
    request_supplement,
)
from counter_app.store.models import Outbox
from tests.unit.test_tracking import BODY, DUC, at

UNIT = "UBND xã An Hòa"
PROCEDURE = "1.004873"  # 3 working days; result: Giấy xác nhận tình trạng hôn nhân


def intake(ctx: CounterContext, **options: Any) -> str:
    # Received Mon 16/11 08:00, due Thu 19/11 17:00.
    request = IntakeRequest(PROCEDURE, DUC, received_at=at("2026-11-16T08:00"), **options)
    return receive(ctx, request).code


def sync_input(code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the hub holds: the intake payload and, in order, the station's later events."""
    rows = list(Outbox.select().where(Outbox.entity_ref == code).order_by(Outbox.id))
    assert rows[0].kind == "dossier.received"
    events = [
        {"kind": r.kind, "payload": r.payload, "source": "station", "hub_at": iso(r.created_at)}
        for r in rows[1:]
    ]
    return rows[0].payload, events


def payload_of(ctx: CounterContext, code: str, *extra: dict[str, Any]) -> dict[str, Any]:
    received, events = sync_input(code)
    procedure = get_procedure(ctx, PROCEDURE).to_json()
    return national_payload(received, [*events, *extra], unit_name=UNIT, procedure=procedure)


def test_a_returned_dossier_with_one_supplement_round(counter: CounterContext) -> None:
    code = intake(counter)
    hand_over(counter, code, BODY, at=at("2026-11-16T09:00"))
    request_supplement(
        counter,
        code,
        "Thiếu giấy xác nhận nơi cư trú",
        (DocumentLine("Giấy xác nhận thông tin về cư trú", "original", 1),),
        at=at("2026-11-17T10:00"),
    )
    change_status(counter, code, 4, note="Đã bổ sung", at=at("2026-11-18T08:00"))
    hand_over(counter, code, "quầy", result_ready=True, at=at("2026-11-20T08:00"))
    return_result(counter, code, ReturnRequest("Nguyễn Văn Đức", at=at("2026-11-20T09:00")))

    out = payload_of(counter, code)

    assert validate_national_payload(out) == []
    json.dumps(out)  # travels as JSON
    assert (out["MaHoSo"], out["MaTTHC"], out["TenLinhVuc"], out["MaLinhVuc"]) == (
        code,
        PROCEDURE,
        "Hộ tịch",
        "",
    )
    assert out["TenTTHC"] == "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân"
    assert (out["ChuHoSo"], out["LoaiDoiTuong"], out["SoDienThoai"]) == (
        "Nguyễn Văn Đức",
        "1",
        "0912345678",
    )
    assert out["DinhDanhCHS"] == [{"LoaiDinhDanh": "1", "SoDinhDanh": "001090012345"}]
    assert out["NgayTiepNhan"] == "20261116080000"
    # The 6 working hours of waiting moved the due date from Thu 19/11 17:00 to Fri 15:00.
    assert out["NgayHenTra"] == "20261120150000"
    assert (out["TrangThaiHoSo"], out["NgayKetThucXuLy"], out["NgayTra"]) == (
        "10",
        "20261120080000",
        "20261120090000",
    )
    assert (out["HinhThuc"], out["DonViXuLy"]) == ("0", UNIT)
    assert "nhập sau" in out["GhiChu"]  # a paper dossier typed in on 25/11

    (round_,) = out["DanhSachHoSoBoSung"]
    assert round_["NoiDungBoSung"] == "Thiếu giấy xác nhận nơi cư trú"
    assert (round_["NgayBoSung"], round_["NgayTiepNhanBoSung"]) == (
        "20261117100000",
        "20261118080000",
    )
    assert (round_["NgayHenTraTruoc"], round_["NgayHenTraMoi"]) == (
        "20261119170000",
        "20261120150000",
    )
    assert round_["TrangThaiBoSung"] is True
    assert round_["NguoiYeuCauBoSung"] == "Trần Thị Mai"

    steps = out["QuaTrinhXuLy"]
    assert [(s["TrangThai"], s["ThoiDiemXuLy"]) for s in steps] == [
        ("2", "20261116080000"),
        ("4", "20261116090000"),
        ("5", "20261117100000"),
        ("4", "20261118080000"),
        ("9", "20261120080000"),
        ("10", "20261120090000"),
    ]
    assert {s["MaHoSo"] for s in steps} == {code}
    assert {s["NguoiXuLy"] for s in steps} == {"Trần Thị Mai"}
    # Each step's legal end is the due date then in force; none while paused or once closed.
    assert [s["NgayKetThucTheoQuyDinh"] for s in steps] == [
        "20261119170000",
        "20261119170000",
        "",
        "20261120150000",
        "20261120150000",
        "",
    ]
    assert steps[1]["NoiDungXuLy"] == f"Đang xử lý: Chuyển {BODY}"
    assert steps[1]["NgayBatDau"] == steps[1]["ThoiDiemXuLy"]

    assert [d["TenGiayTo"] for d in out["DanhSachGiayToKetQua"]] == [
        "Giấy xác nhận tình trạng hôn nhân"
    ]
    assert [fee["Gia"] for fee in out["DanhSachLePhi"]] == ["15000"]
    papers = out["DanhSachTepDinhKemKhac"]
    assert len(papers) == 5 and papers[0]["SoLuong"] == 1 and papers[0]["LoaiGiayTo"] == "1"
    assert out["TaiLieuNop"] == []


def test_a_processing_body_marks_the_dossier_resolved_through_the_hub(
    counter: CounterContext,
) -> None:
    code = intake(counter)
    hand_over(counter, code, BODY, at=at("2026-11-16T09:00"))
    hand_over(counter, code, "Chủ tịch UBND xã", at=at("2026-11-17T09:00"))
    resolved = {
        "kind": "hub.status",
        "source": "hub",
        "hub_at": "2026-11-18T03:31:00+00:00",
        "payload": {
            "code": code,
            "from": 4,
            "to": 9,
            # Another offset: 03:30 UTC is 10:30 in Vietnam.
            "at": "2026-11-18T03:30:00+00:00",
            "actor": "Lê Văn Hùng",
            "note": "Đã ký giấy xác nhận",
            "unit": "UBND xã An Hòa - Chủ tịch",
        },
    }

    out = payload_of(counter, code, resolved)

    assert validate_national_payload(out) == []
    assert (out["TrangThaiHoSo"], out["NgayKetThucXuLy"], out["NgayTra"]) == (
        "9",
        "20261118103000",
        "",
    )
    moved, marked = out["QuaTrinhXuLy"][-2:]
    # A hand-over between bodies changes no status but is a step of Mẫu 06.
    assert moved["NoiDungXuLy"] == f"Chuyển hồ sơ từ {BODY} đến Chủ tịch UBND xã"
    assert (moved["TrangThai"], moved["ThoiDiemXuLy"]) == ("4", "20261117090000")
    assert marked == {
        "MaHoSo": code,
        "NguoiXuLy": "Lê Văn Hùng",
        "ChucDanh": "",
        "ThoiDiemXuLy": "20261118103000",
        "PhongBanXuLy": "UBND xã An Hòa - Chủ tịch",
        "NoiDungXuLy": "Đã xử lý xong: Đã ký giấy xác nhận",
        "TrangThai": "9",
        "NgayBatDau": "20261118103000",
        "NgayKetThucTheoQuyDinh": "20261119170000",
    }
    assert out["DanhSachGiayToKetQua"][0]["TenGiayTo"] == "Giấy xác nhận tình trạng hôn nhân"


def test_an_open_supplement_round_has_no_new_due_date_yet(counter: CounterContext) -> None:
    code = intake(counter)
    request_supplement(counter, code, "Thiếu tờ khai", (), at=at("2026-11-17T10:00"))

    out = payload_of(counter, code)

    assert validate_national_payload(out) == []
    assert out["TrangThaiHoSo"] == "5"
    (round_,) = out["DanhSachHoSoBoSung"]
    assert (round_["NgayHenTraTruoc"], round_["NgayHenTraMoi"]) == ("20261119170000", "")
    assert (round_["TrangThaiBoSung"], round_["NgayTiepNhanBoSung"]) == (False, "")
    assert out["DanhSachGiayToKetQua"] == []


def test_the_apology_sets_the_new_due_date(counter: CounterContext) -> None:
    code = intake(counter)
    hand_over(counter, code, BODY, at=at("2026-11-16T09:00"))
    apologise(counter, code, "Chờ xác minh", at("2026-11-24T17:00"), at=at("2026-11-19T08:00"))

    out = payload_of(counter, code)

    assert validate_national_payload(out) == []
    assert (out["NgayHenTra"], out["TrangThaiHoSo"]) == ("20261124170000", "4")
    step = out["QuaTrinhXuLy"][-1]
    assert step["NoiDungXuLy"] == "Gia hạn thời gian giải quyết (Mẫu 04): Chờ xác minh"
    assert step["NgayKetThucTheoQuyDinh"] == "20261124170000"
    assert out["DanhSachHoSoBoSung"] == []  # an extension is not a supplement round


def test_refusal_by_post_for_an_organisation(counter: CounterContext) -> None:
    firm = ApplicantInput(
        name="Công ty TNHH Hòa Bình", kind=ApplicantKind.ORGANISATION, tax_code="0101234567"
    )
    request = IntakeRequest(
        PROCEDURE, firm, received_at=at("2026-11-16T08:00"), result_delivery="post"
    )
    code = receive(counter, request).code
    refuse(counter, code, "Không thuộc thẩm quyền", at=at("2026-11-16T09:15"))

    out = payload_of(counter, code)

    assert validate_national_payload(out) == []
    assert (out["LoaiDoiTuong"], out["SoGiayToChuHoSo"], out["DinhDanhCHS"]) == (
        "2",
        "0101234567",
        [],
    )
    assert (out["TrangThaiHoSo"], out["NgayTuChoi"], out["HinhThuc"]) == (
        "3",
        "20261116091500",
        "1",
    )
    assert out["QuaTrinhXuLy"][-1]["NoiDungXuLy"] == "Không được tiếp nhận: Không thuộc thẩm quyền"


def test_dates_become_vietnam_time_whatever_their_offset() -> None:
    assert stamp("2026-11-25T02:00:00+00:00") == "20261125090000"
    assert stamp("2026-11-25T09:00:00+07:00") == "20261125090000"
    assert stamp("2026-11-25T09:00:00") == "20261125090000"  # no offset: Vietnam time
    assert stamp(datetime(2026, 11, 24, 19, 0, tzinfo=VN_TZ)) == "20261124190000"
    assert stamp(None) == stamp("") == ""


def test_validation_names_each_wrong_field(counter: CounterContext) -> None:
    code = intake(counter)
    good = payload_of(counter, code)
    broken = {
        **good,
        "NgayTiepNhan": "2026-11-16",
        "TrangThaiHoSo": "11",
        "HinhThuc": "2",
        "DonViXuLy": "  ",
        "QuaTrinhXuLy": [{**good["QuaTrinhXuLy"][0], "ThoiDiemXuLy": "20261332080000"}],
        "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": "15.000"}],
    }
    del broken["MaHoSo"]

    problems = validate_national_payload(broken)

    assert [p.split(":")[0] for p in problems] == [
        "MaHoSo",
        "DonViXuLy",
        "HinhThuc",
        "TrangThaiHoSo",
        "NgayTiepNhan",
        "DanhSachLePhi[1].Gia",
        "QuaTrinhXuLy[1].ThoiDiemXuLy",
    ]
    assert "yyyyMMddHHmmss" in problems[4] and "'2026-11-16'" in problems[4]
    assert validate_national_payload([good]) == [
        "Dữ liệu gửi lên phải là một đối tượng JSON (hồ sơ)."
    ]
    returned_without_date = {**good, "TrangThaiHoSo": "10", "NgayHenTra": "20261115170000"}
    assert validate_national_payload(returned_without_date) == [
        "NgayHenTra: không được trước NgayTiepNhan.",
        "NgayTra: hồ sơ đã trả kết quả (trạng thái 10) phải có ngày trả.",
    ]
