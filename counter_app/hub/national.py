"""A dossier and its progress as the national portal's dossier-sync payload (no I/O).

``national_payload`` folds the station's intake payload (``DossierDetail.to_json()``) and
the events the hub applied after it into one object named the way the national portal
(Cổng Dịch vụ công quốc gia, service ``DongBoHoSoMC``) names a dossier, with its progress
(``CapNhatTienDoHoSoMC`` entries) under ``QuaTrinhXuLy``. Dates travel as ``yyyyMMddHHmmss``
in Asia/Ho_Chi_Minh time, whatever offset came in. ``validate_national_payload`` lists what
a receiver would refuse, in Vietnamese, each message starting with the field's name.

Sources of the names
--------------------
Confirmed in two independent integrations with the portal:

- VietOpenCPS/opencps-v2, ``DVCQGIntegrationActionTerm.java`` and
  ``DVCQGIntegrationActionImpl.java`` (module backend-dossiermgt);
- HuanVu201/DichVuCong_KhoaLuan_PASETO, ``SyncLocalDataToDVCQG`` (C#, a provincial system's
  code: DTOs ``HoSoDongBoDVC``, ``QuaTrinhXuLyDongBoDVC``, ``HoSoBoSung``, ``LePhi`` …).

Dossier: MaHoSo, MaTTHC, TenTTHC, MaLinhVuc, TenLinhVuc, KenhThucHien, SoGiayToChuHoSo,
ChuHoSo, LoaiDoiTuong, MaDoiTuong, ThongTinKhac, Email, Fax, SoDienThoai, TrichYeuHoSo,
NgayTiepNhan, NgayHenTra, TrangThaiHoSo, NgayTra, ThongTinTra, HinhThuc, NgayKetThucXuLy,
DonViXuLy, GhiChu, NgayTuChoi, NgayNopHoSo, DinhDanhCHS (LoaiDinhDanh, SoDinhDanh),
TaiLieuNop, DanhSachTepDinhKemKhac (TenGiayTo, SoLuong, LoaiGiayTo), DanhSachLePhi
(TenPhiLePhi, MaPhiLePhi, HinhThucThu, Gia, LoaiPhiLePhi), DanhSachHoSoBoSung
(HoSoBoSungId, NguoiYeuCauBoSung, NoiDungBoSung, NgayBoSung, NguoiTiepNhanBoSung,
ThongTinTiepNhan, NgayTiepNhanBoSung, TrangThaiBoSung, DanhSachGiayToBoSung,
DanhSachLePhiBoSung, NgayHenTraTruoc, NgayHenTraMoi), DanhSachGiayToKetQua (TenGiayTo,
MaThanhPhanHoSo, GiayToId, DuongDanTepTinKetQua, MaGiayToKetQua). Progress entry: MaHoSo,
NguoiXuLy, ChucDanh, ThoiDiemXuLy, PhongBanXuLy, NoiDungXuLy, TrangThai, NgayBatDau,
NgayKetThucTheoQuyDinh. Values travel as strings; LoaiDoiTuong 1 citizen / 2 enterprise;
LoaiDinhDanh 1 for a 12-digit CCCD; HinhThuc 0 counter / 1 post (OpenCPS); the dates format.

Unconfirmed (chosen here; check against the province's interface document):

- ``QuaTrinhXuLy`` as a key of the dossier: the portal takes progress in a separate call
  (``CapNhatTienDoHoSoMC``), a list of entries that each carry MaHoSo; the hub splits it off.
- Paper documents go in ``DanhSachTepDinhKemKhac`` (name, count, kind), ``TaiLieuNop`` stays
  empty: its items are uploaded files with a download link, which a paper counter has not.
  LoaiGiayTo 1 = bản chính, 2 = bản sao is a guess; so are the items of
  ``DanhSachGiayToBoSung``, given here in the same shape.
- DanhSachLePhi lists the procedure's fee schedule (the station records no payment);
  MaPhiLePhi/HinhThucThu/LoaiPhiLePhi are "1" as the C# system sends them, meaning unknown.
- KenhThucHien "1" for the counter (that system treats "2" as online); MaDoiTuong is the
  citizen's portal account (empty for a counter dossier); MaLinhVuc stays "" (the catalogue
  has field names only); DinhDanhCHS is left empty for a tax code (its LoaiDinhDanh unknown).
- Progress: ChucDanh ""; PhongBanXuLy is the counter for station steps and the hub event's
  unit for a processing body; NgayBatDau is the step's moment; NgayKetThucTheoQuyDinh the due
  date then in force, "" while the clock is paused or the dossier closed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from counter_app.domain.clock import VN_TZ, parse_iso
from counter_app.domain.parties import COUNTER_PARTY
from counter_app.domain.status import status_name

STAMP_FORMAT = "%Y%m%d%H%M%S"
_STAMP = re.compile(r"^\d{14}$")
CITIZEN, ENTERPRISE = "1", "2"
AT_COUNTER, BY_POST = "0", "1"
KIND_CODES = {"original": "1", "copy": "2"}
# The step's legal end is meaningful only while the clock runs (or the result waits).
DEADLINE_RUNS = frozenset({2, 4, 9})
# Lengths the C# integration cuts to before sending.
MAX_ACTOR, MAX_SUMMARY = 50, 1000


def stamp(value: str | datetime | None) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time; "" for no date. A naive value is Vietnam time."""
    if value is None or value == "":
        return ""
    moment = parse_iso(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ).strftime(STAMP_FORMAT)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Progress:
    """The dossier as the events leave it, and what the payload lists."""

    code: str
    unit_name: str
    status: int
    due_at: str
    channel: str
    resolved_at: str = ""
    returned_at: str = ""
    refused_at: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)
    open_round: dict[str, Any] | None = None

    def step(self, *, actor: str, at: str, unit: str, content: str, status: int) -> None:
        due = stamp(self.due_at) if status in DEADLINE_RUNS else ""
        self.steps.append(
            {
                "MaHoSo": self.code,
                "NguoiXuLy": _clip(actor or "Cán bộ một cửa", MAX_ACTOR),
                "ChucDanh": "",
                "ThoiDiemXuLy": stamp(at),
                "PhongBanXuLy": unit,
                "NoiDungXuLy": content,
                "TrangThai": str(status),
                "NgayBatDau": stamp(at),
                "NgayKetThucTheoQuyDinh": due,
            }
        )

    def enter(
        self,
        source: int | None,
        target: int,
        *,
        at: str,
        actor: str,
        note: str,
        unit: str,
        new_due_at: str = "",
    ) -> None:
        """One status move: milestones, supplement rounds, one progress entry."""
        if source == 5 and target != 5 and self.open_round is not None:
            # DOMAIN.md §4: the round ends; on resume (→ 4) the due date has moved.
            self.open_round.update(
                NguoiTiepNhanBoSung=_clip(actor, MAX_ACTOR) if target == 4 else "",
                NgayTiepNhanBoSung=stamp(at) if target == 4 else "",
                TrangThaiBoSung=target == 4,
                NgayHenTraMoi=stamp(new_due_at),
                ThongTinTiepNhan=note if target == 4 else "",
            )
            self.open_round = None
        self.status = target
        if target == 9:
            self.resolved_at = at
        elif target == 10:
            self.returned_at = at
        elif target == 3:
            self.refused_at = at
        content = status_name(target) + (f": {note}" if note else "")
        self.step(actor=actor, at=at, unit=unit, content=content, status=target)

    def open_supplement(
        self, *, at: str, actor: str, reason: str, due_before: str, documents: Sequence[Any]
    ) -> None:
        self.open_round = {
            "HoSoBoSungId": len(self.rounds) + 1,
            "NguoiYeuCauBoSung": _clip(actor, MAX_ACTOR),
            "NoiDungBoSung": reason,
            "NgayBoSung": stamp(at),
            "NguoiTiepNhanBoSung": "",
            "ThongTinTiepNhan": "",
            "NgayTiepNhanBoSung": "",
            "TrangThaiBoSung": False,
            "DanhSachGiayToBoSung": _paper_documents(documents),
            "DanhSachLePhiBoSung": [],
            "NgayHenTraTruoc": stamp(due_before),
            "NgayHenTraMoi": "",
        }
        self.rounds.append(self.open_round)


def _paper_documents(lines: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "TenGiayTo": str(line.get("name", "")),
            "SoLuong": int(line.get("count", 1)),
            "LoaiGiayTo": KIND_CODES.get(str(line.get("kind")), "1"),
        }
        for line in lines
        if isinstance(line, Mapping)
    ]


def _station_event(state: _Progress, kind: str, payload: Mapping[str, Any]) -> None:
    actor = str(payload.get("actor", ""))
    due_before = state.due_at
    if isinstance(payload.get("due_at"), str):
        state.due_at = payload["due_at"]
    history = [h for h in payload.get("history") or () if isinstance(h, Mapping)]
    if kind == "dossier.notice.02" and history:
        state.open_supplement(
            at=str(history[-1]["at"]),
            actor=str(history[-1].get("actor") or actor),
            reason=str(payload.get("reason", "")),
            due_before=due_before,
            documents=payload.get("documents") or (),
        )
    for entry in history:
        state.enter(
            entry.get("from"),
            int(entry["to"]),
            at=str(entry["at"]),
            actor=str(entry.get("actor") or actor),
            note=str(entry.get("note", "")),
            unit=COUNTER_PARTY,
            new_due_at=str(payload.get("new_due_at", "")) if entry.get("from") == 5 else "",
        )
    # A hand-over nests its status move under "status", so only a plain int is the status.
    if not history and isinstance(payload.get("status"), int):
        state.status = int(payload["status"])
    if kind == "dossier.handover" and not history:
        content = (
            f"Chuyển hồ sơ từ {payload.get('from_party', '')} đến {payload.get('to_party', '')}"
        )
        at = str(payload.get("at", ""))
        state.step(actor=actor, at=at, unit=COUNTER_PARTY, content=content, status=state.status)
    elif kind == "dossier.notice.04":
        content = f"Gia hạn thời gian giải quyết (Mẫu 04): {payload.get('reason', '')}"
        at = str(payload.get("at") or payload.get("hub_at") or "")
        state.step(actor=actor, at=at, unit=COUNTER_PARTY, content=content, status=state.status)
    elif kind == "dossier.returned":
        state.channel = str(payload.get("channel") or state.channel)
        state.returned_at = str(payload.get("returned_at") or state.returned_at)


def _apply(state: _Progress, event: Mapping[str, Any]) -> None:
    kind = str(event.get("kind", ""))
    payload = event.get("payload") or {}
    if kind == "hub.status":
        state.enter(
            payload.get("from"),
            int(payload["to"]),
            at=str(payload["at"]),
            actor=str(payload.get("actor", "")),
            note=str(payload.get("note", "")),
            unit=str(payload.get("unit") or state.unit_name),
            new_due_at=str(payload.get("new_due_at", "")),
        )
        return
    if kind == "dossier.notice.04" and "at" not in payload:
        # Mẫu 04 moves no status, so its payload has no moment: the hub's is the nearest.
        payload = {**payload, "hub_at": event.get("hub_at")}
    _station_event(state, kind, payload)


def _fees(procedure: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "TenPhiLePhi": str(fee.get("description", "")),
            "MaPhiLePhi": "1",
            "HinhThucThu": "1",
            "Gia": str(int(fee.get("amount", 0))),
            "LoaiPhiLePhi": "1",
        }
        for fee in procedure.get("fees") or ()
        if int(fee.get("amount", 0)) > 0
    ]


def national_payload(
    received: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    *,
    unit_name: str,
    procedure: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The dossier-sync payload of ``received`` after ``events`` (in the order applied).

    ``procedure`` is ``ProcedureInfo.to_json()`` of the version the dossier was received
    under: it gives the field name, the fees and the result paper's name, which the intake
    payload does not carry.
    """
    procedure = procedure or {}
    code = str(received["code"])
    applicant: Mapping[str, Any] = received.get("applicant") or {}
    state = _Progress(
        code=code,
        unit_name=unit_name,
        status=int(received["status"]),
        due_at=str(received["due_at"]),
        channel=str(received.get("result_delivery") or "counter"),
    )
    for entry in received.get("history") or ():
        # The intake step happened when the dossier was received, not when it was typed in.
        at = received["received_at"] if entry.get("from") is None else entry["at"]
        state.enter(
            entry.get("from"),
            int(entry["to"]),
            at=str(at),
            actor=str(entry.get("actor", "")),
            note=str(entry.get("note", "")),
            unit=COUNTER_PARTY,
        )
    for event in events:
        _apply(state, event)

    id_number = str(applicant.get("id_number") or "")
    tax_code = str(applicant.get("tax_code") or "")
    result_name = str(procedure.get("result") or "")
    results = (
        [
            {
                "TenGiayTo": result_name,
                "MaThanhPhanHoSo": "",
                "GiayToId": "",
                "DuongDanTepTinKetQua": "",
                "MaGiayToKetQua": "",
            }
        ]
        if result_name and (state.resolved_at or state.status in (9, 10))
        else []
    )
    name = str(applicant.get("name") or received.get("applicant_name") or "")
    summary = f"{received.get('procedure_name', '')} - {name}".strip(" -")
    return {
        "MaHoSo": code,
        "MaTTHC": str(received.get("procedure_code", "")),
        "TenTTHC": str(received.get("procedure_name", "")),
        "MaLinhVuc": "",
        "TenLinhVuc": str(procedure.get("field") or received.get("procedure_field") or ""),
        "KenhThucHien": "1",
        "SoGiayToChuHoSo": id_number or tax_code,
        "ChuHoSo": name,
        "LoaiDoiTuong": ENTERPRISE if applicant.get("kind") == "organisation" else CITIZEN,
        "MaDoiTuong": "",
        "DinhDanhCHS": (
            [{"LoaiDinhDanh": "1", "SoDinhDanh": id_number}] if len(id_number) == 12 else []
        ),
        "ThongTinKhac": "",
        "Email": str(applicant.get("email") or ""),
        "Fax": "",
        "SoDienThoai": str(applicant.get("phone") or ""),
        "TrichYeuHoSo": _clip(summary, MAX_SUMMARY),
        "NgayNopHoSo": stamp(received["received_at"]),
        "NgayTiepNhan": stamp(received["received_at"]),
        "NgayHenTra": stamp(state.due_at),
        "TrangThaiHoSo": str(state.status),
        "NgayTuChoi": stamp(state.refused_at),
        "NgayKetThucXuLy": stamp(state.resolved_at),
        "NgayTra": stamp(state.returned_at),
        "ThongTinTra": "",
        "HinhThuc": BY_POST if state.channel == "post" else AT_COUNTER,
        "DonViXuLy": unit_name,
        "GhiChu": "Hồ sơ nhận trên giấy, nhập sau" if received.get("entered_late") else "",
        "TaiLieuNop": [],
        "DanhSachTepDinhKemKhac": _paper_documents(received.get("documents") or ()),
        "DanhSachLePhi": _fees(procedure),
        "DanhSachHoSoBoSung": state.rounds,
        "DanhSachGiayToKetQua": results,
        "QuaTrinhXuLy": state.steps,
    }


# --------------------------------------------------------------------------- validation

_REQUIRED_TEXT = ("MaHoSo", "MaTTHC", "TenTTHC", "TenLinhVuc", "TrichYeuHoSo", "DonViXuLy")
_PRESENT_TEXT = ("MaLinhVuc", "ChuHoSo", "SoDienThoai", "Email")
_OPTIONAL_DATES = ("NgayTra", "NgayKetThucXuLy", "NgayTuChoi", "NgayNopHoSo")


class _ItemRules(NamedTuple):
    text: tuple[str, ...] = ()  # required, not blank
    dates: tuple[str, ...] = ()  # required
    optional_dates: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()


_LISTS = {
    "TaiLieuNop": _ItemRules(),
    "DanhSachTepDinhKemKhac": _ItemRules(text=("TenGiayTo",)),
    "DanhSachLePhi": _ItemRules(text=("TenPhiLePhi",)),
    "DanhSachHoSoBoSung": _ItemRules(
        dates=("NgayBoSung", "NgayHenTraTruoc"),
        optional_dates=("NgayTiepNhanBoSung", "NgayHenTraMoi"),
    ),
    "DanhSachGiayToKetQua": _ItemRules(text=("TenGiayTo",)),
    "QuaTrinhXuLy": _ItemRules(
        text=("NguoiXuLy",),
        dates=("ThoiDiemXuLy",),
        optional_dates=("NgayBatDau", "NgayKetThucTheoQuyDinh"),
        statuses=("TrangThai",),
    ),
}


def _check_date(problems: list[str], name: str, value: Any, *, required: bool) -> str:
    """The valid stamp, or "" after noting the problem."""
    if value is None or value == "":
        if required:
            problems.append(f"{name}: thiếu ngày giờ (dạng yyyyMMddHHmmss).")
        return ""
    if isinstance(value, str) and _STAMP.match(value):
        try:
            datetime.strptime(value, STAMP_FORMAT)
        except ValueError:
            pass
        else:
            return value
    problems.append(
        f"{name}: ngày giờ phải có dạng yyyyMMddHHmmss (giờ Việt Nam), nhận được {value!r}."
    )
    return ""


def _check_status(problems: list[str], name: str, value: Any) -> None:
    ok = (isinstance(value, str) and value.isdigit()) or (
        isinstance(value, int) and not isinstance(value, bool)
    )
    if not ok or not 1 <= int(value) <= 10:
        problems.append(f"{name}: trạng thái phải từ 1 đến 10, nhận được {value!r}.")


def _check_text(
    problems: list[str], data: Mapping[str, Any], key: str, prefix: str, *, required: bool
) -> None:
    value = data.get(key)
    if key not in data or value is None:
        problems.append(f"{prefix}{key}: thiếu trường bắt buộc.")
    elif not isinstance(value, str):
        problems.append(f"{prefix}{key}: phải là chuỗi ký tự.")
    elif required and not value.strip():
        problems.append(f"{prefix}{key}: không được để trống.")


def _check_items(problems: list[str], payload: Mapping[str, Any]) -> None:
    for name, rules in _LISTS.items():
        value = payload.get(name)
        if not isinstance(value, list):
            problems.append(f"{name}: phải là một danh sách.")
            continue
        for index, item in enumerate(value, start=1):
            where = f"{name}[{index}]"
            if not isinstance(item, Mapping):
                problems.append(f"{where}: mỗi phần tử phải là một đối tượng.")
                continue
            for key in rules.text:
                _check_text(problems, item, key, f"{where}.", required=True)
            for key in rules.dates + rules.optional_dates:
                required = key in rules.dates
                _check_date(problems, f"{where}.{key}", item.get(key), required=required)
            for key in rules.statuses:
                _check_status(problems, f"{where}.{key}", item.get(key))
            if name == "DanhSachLePhi" and not str(item.get("Gia", "")).isdigit():
                problems.append(f"{where}.Gia: số tiền phải là số nguyên không âm (đồng).")


def validate_national_payload(payload: Any) -> list[str]:
    """What a receiver would refuse in ``payload``; empty when it is valid."""
    if not isinstance(payload, Mapping):
        return ["Dữ liệu gửi lên phải là một đối tượng JSON (hồ sơ)."]
    problems: list[str] = []
    for key in _REQUIRED_TEXT:
        _check_text(problems, payload, key, "", required=True)
    for key in _PRESENT_TEXT:
        _check_text(problems, payload, key, "", required=False)
    if payload.get("LoaiDoiTuong") not in ("1", "2", "3", "4"):
        problems.append(
            "LoaiDoiTuong: phải là 1 (công dân), 2 (doanh nghiệp), 3 (cơ quan nhà nước) "
            f"hoặc 4 (tổ chức khác), nhận được {payload.get('LoaiDoiTuong')!r}."
        )
    if payload.get("HinhThuc") not in (AT_COUNTER, BY_POST):
        problems.append(
            "HinhThuc: phải là 0 (nhận tại Bộ phận một cửa) hoặc 1 (qua bưu chính), "
            f"nhận được {payload.get('HinhThuc')!r}."
        )
    _check_status(problems, "TrangThaiHoSo", payload.get("TrangThaiHoSo"))
    received = _check_date(problems, "NgayTiepNhan", payload.get("NgayTiepNhan"), required=True)
    due = _check_date(problems, "NgayHenTra", payload.get("NgayHenTra"), required=True)
    dates = {k: _check_date(problems, k, payload.get(k), required=False) for k in _OPTIONAL_DATES}
    # Same-width digit stamps compare as strings in time order.
    if received and due and due < received:
        problems.append("NgayHenTra: không được trước NgayTiepNhan.")
    if received and dates["NgayTra"] and dates["NgayTra"] < received:
        problems.append("NgayTra: không được trước NgayTiepNhan.")
    if str(payload.get("TrangThaiHoSo")) == "10" and not payload.get("NgayTra"):
        problems.append("NgayTra: hồ sơ đã trả kết quả (trạng thái 10) phải có ngày trả.")
    _check_items(problems, payload)
    return problems
