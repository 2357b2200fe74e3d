"""Frozen values the services hand to the UI and the CLI (never peewee rows)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from counter_app.domain.catalogue import DocumentSpec
from counter_app.domain.clock import iso
from counter_app.domain.status import status_name


@dataclass(frozen=True)
class InstallationSettings:
    agency_code: str
    agency_name: str
    place_name: str
    station: int

    @property
    def counter_name(self) -> str:
        return f"Bộ phận Tiếp nhận và Trả kết quả {self.agency_name}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


ROLE_NAMES = {"clerk": "Cán bộ một cửa", "supervisor": "Trưởng bộ phận", "admin": "Quản trị"}
ROLE_RANK = {"clerk": 0, "supervisor": 1, "admin": 2}


@dataclass(frozen=True)
class OperatorInfo:
    """A counter account as screens and commands see it (never the password hash)."""

    username: str
    full_name: str
    role: str  # clerk | supervisor | admin
    active: bool = True
    locked_until: datetime | None = None
    failed_logins: int = 0

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)

    def at_least(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role,
            "active": self.active,
            "locked_until": iso(self.locked_until) if self.locked_until else None,
            "failed_logins": self.failed_logins,
        }


# A document handed over is described exactly like one the catalogue lists.
DocumentLine = DocumentSpec


@dataclass(frozen=True)
class ProcedureInfo:
    code: str
    version: int
    name: str
    field: str
    time_value: int
    time_unit: str
    time_text: str
    cutoff: str | None
    documents: tuple[DocumentLine, ...]
    fees: tuple[tuple[int, str], ...]
    result: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "field": self.field,
            "time_value": self.time_value,
            "time_unit": self.time_unit,
            "cutoff": self.cutoff,
            "fees": [{"amount": amount, "description": text} for amount, text in self.fees],
            "documents": [doc.to_json() for doc in self.documents],
            "result": self.result,
            "version": self.version,
        }


@dataclass(frozen=True)
class HistoryEntry:
    from_status: int | None
    to_status: int
    at: datetime
    actor: str
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.from_status,
            "to": self.to_status,
            "to_name": status_name(self.to_status),
            "at": iso(self.at),
            "actor": self.actor,
            "note": self.note,
        }


@dataclass(frozen=True)
class DossierSummary:
    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    due_at: datetime
    status: int

    @property
    def status_name(self) -> str:
        return status_name(self.status)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "applicant_name": self.applicant_name,
            "received_at": iso(self.received_at),
            "due_at": iso(self.due_at),
            "status": self.status,
            "status_name": self.status_name,
        }


RECEIVER_KINDS = {"applicant": "Người nộp hồ sơ", "authorised": "Người được ủy quyền"}
CHANNELS = {"counter": "Tại Bộ phận một cửa", "post": "Qua dịch vụ bưu chính"}
RATINGS = {1: "Rất hài lòng", 2: "Hài lòng", 3: "Không hài lòng"}


def _iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


@dataclass(frozen=True)
class HandoverEntry:
    position: int
    from_party: str
    to_party: str
    at: datetime
    giver: str
    taker: str
    step_due_at: datetime
    result: str  # early | on_time | late
    note: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = iso(self.at)
        data["step_due_at"] = iso(self.step_due_at)
        return data


@dataclass(frozen=True)
class DueChangeEntry:
    kind: str  # resume | apology
    at: datetime
    old_due_at: datetime
    new_due_at: datetime
    paused_from: datetime | None
    reason: str
    actor: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("at", "old_due_at", "new_due_at", "paused_from"):
            data[key] = _iso_or_none(getattr(self, key))
        return data


@dataclass(frozen=True)
class NoticeEntry:
    id: int
    form: str  # 02 | 03 | 04 | 05
    number: str
    at: datetime
    reason: str
    documents: tuple[DocumentSpec, ...]
    due_at: datetime
    new_due_at: datetime | None
    officer_name: str
    officer_phone: str
    actor: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "form": self.form,
            "number": self.number,
            "at": iso(self.at),
            "reason": self.reason,
            "documents": [d.to_json() for d in self.documents],
            "due_at": iso(self.due_at),
            "new_due_at": _iso_or_none(self.new_due_at),
            "officer_name": self.officer_name,
            "officer_phone": self.officer_phone,
            "actor": self.actor,
        }


@dataclass(frozen=True)
class ReturnInfo:
    at: datetime
    receiver_kind: str  # applicant | authorised
    receiver_name: str
    receiver_id_number: str
    channel: str  # counter | post
    rating: int | None  # 1 Rất hài lòng · 2 Hài lòng · 3 Không hài lòng
    comment: str
    actor: str
    timeliness: str  # early | on_time | late

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = iso(self.at)
        data["rating_name"] = RATINGS.get(self.rating) if self.rating else None
        return data


@dataclass(frozen=True)
class DossierDetail:
    summary: DossierSummary
    procedure_version: int
    applicant_kind: str
    id_number: str
    tax_code: str
    dob: date | None
    sex: str | None
    address: str
    phone: str
    email: str
    documents: tuple[DocumentLine, ...]
    dossier_sets: int
    result_delivery: str
    register_book: str
    register_number: int
    clerk_name: str
    recorded_at: datetime
    entered_late: bool
    history: tuple[HistoryEntry, ...]
    holder: str = ""
    first_due_at: datetime | None = None
    paused_at: datetime | None = None
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    handovers: tuple[HandoverEntry, ...] = ()
    due_changes: tuple[DueChangeEntry, ...] = ()
    notices: tuple[NoticeEntry, ...] = ()
    returned: ReturnInfo | None = None

    @property
    def code(self) -> str:
        return self.summary.code

    def to_json(self) -> dict[str, Any]:
        data = self.summary.to_json()
        data.update(
            {
                "procedure_version": self.procedure_version,
                "applicant": {
                    "kind": self.applicant_kind,
                    "name": self.summary.applicant_name,
                    "id_number": self.id_number or None,
                    "tax_code": self.tax_code or None,
                    "dob": self.dob.isoformat() if self.dob else None,
                    "sex": self.sex,
                    "address": self.address,
                    "phone": self.phone,
                    "email": self.email,
                },
                "documents": [doc.to_json() for doc in self.documents],
                "dossier_sets": self.dossier_sets,
                "result_delivery": self.result_delivery,
                "register_book": self.register_book,
                "register_number": self.register_number,
                "clerk_name": self.clerk_name,
                "recorded_at": iso(self.recorded_at),
                "entered_late": self.entered_late,
                "history": [entry.to_json() for entry in self.history],
                "holder": self.holder,
                "first_due_at": _iso_or_none(self.first_due_at),
                "paused_at": _iso_or_none(self.paused_at),
                "resolved_at": _iso_or_none(self.resolved_at),
                "returned_at": _iso_or_none(self.returned_at),
                "handovers": [h.to_json() for h in self.handovers],
                "due_changes": [c.to_json() for c in self.due_changes],
                "notices": [n.to_json() for n in self.notices],
                "return": self.returned.to_json() if self.returned else None,
            }
        )
        return data
