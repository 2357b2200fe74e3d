"""Procedures of the catalogue as plain values, and the JSON exchange format.

The format is exactly what ``counter-app catalogue list --json`` prints; import accepts it
back (extra keys allowed), as a list or as ``{"procedures": [...]}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from counter_app.domain.text import clean_line, find_refused_char
from counter_app.domain.timeunits import TimeUnit
from counter_app.errors import ValidationError

# 1.001193, 2.000815, and local variants such as 1.000948.H38
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}(\.[0-9A-Z]{2,6})?$")
DOCUMENT_KINDS = ("original", "copy")
# Bounds a real procedure stays far inside; past them a typo would break every due date.
MAX_TIME_VALUE = {
    TimeUnit.WORKING_DAYS: 365,
    TimeUnit.CALENDAR_DAYS: 365,
    TimeUnit.WORKING_HOURS: 999,
    TimeUnit.SAME_DAY: 1,
}
MAX_COUNT = 999
MAX_FEE = 10**10
KIND_LABELS = {"original": "Bản chính", "copy": "Bản sao"}


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    kind: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "count": self.count}


@dataclass(frozen=True)
class FeeSpec:
    amount: int
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "description": self.description}


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    field: str
    time_value: int
    time_unit: TimeUnit
    cutoff: time | None
    fees: tuple[FeeSpec, ...]
    documents: tuple[DocumentSpec, ...]
    result: str = ""
    legal_basis: str = ""
    level: str = ""
    source: str = ""

    @property
    def time_text(self) -> str:
        return self.time_unit.describe(self.time_value)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "field": self.field,
            "time_value": self.time_value,
            "time_unit": self.time_unit.value,
            "cutoff": self.cutoff.strftime("%H:%M") if self.cutoff else None,
            "fees": [fee.to_json() for fee in self.fees],
            "documents": [doc.to_json() for doc in self.documents],
            "result": self.result,
            "legal_basis": self.legal_basis,
            "level": self.level,
            "source": self.source,
        }


def _text(where: str, obj: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = obj.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError.single(key, f"{where}: trường '{key}' phải là chuỗi ký tự.")
    if find_refused_char(value) is not None:
        raise ValidationError.single(key, f"{where}: trường '{key}' chứa ký tự điều khiển.")
    text = clean_line(value)
    if required and not text:
        raise ValidationError.single(key, f"{where}: thiếu trường '{key}'.")
    return text


def _int(where: str, value: Any, key: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError.single(
            key,
            f"{where}: trường '{key}' phải là số nguyên từ {minimum} đến {maximum} "
            f"(nhận được {value!r}).",
        )
    return value


def parse_cutoff(where: str, value: Any) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}", value.strip()):
        hours, minutes = (int(part) for part in value.strip().split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise ValidationError.single("cutoff", f"{where}: giờ chốt '{value}' phải có dạng HH:MM.")


def parse_procedure(obj: Any, position: int) -> ProcedureSpec:
    where = f"Thủ tục thứ {position}"
    if not isinstance(obj, Mapping):
        raise ValidationError.single("procedure", f"{where}: phải là một đối tượng JSON.")
    code = _text(where, obj, "code").upper()
    where = f"Thủ tục {code}"
    if not PROCEDURE_CODE.match(code):
        raise ValidationError.single("code", f"{where}: mã thủ tục không đúng dạng (vd 1.001193).")
    unit_raw = obj.get("time_unit")
    try:
        unit = TimeUnit(str(unit_raw))
    except ValueError:
        allowed = ", ".join(u.value for u in TimeUnit)
        raise ValidationError.single(
            "time_unit", f"{where}: đơn vị thời gian '{unit_raw}' không hợp lệ ({allowed})."
        ) from None
    time_value = _int(
        where,
        obj.get("time_value", 1 if unit is TimeUnit.SAME_DAY else None),
        "time_value",
        minimum=1,
        maximum=MAX_TIME_VALUE[unit],
    )
    documents = []
    raw_docs = obj.get("documents", [])
    if not isinstance(raw_docs, list):
        raise ValidationError.single("documents", f"{where}: 'documents' phải là danh sách.")
    for index, doc in enumerate(raw_docs, start=1):
        doc_where = f"{where}, giấy tờ thứ {index}"
        if not isinstance(doc, Mapping):
            raise ValidationError.single("documents", f"{doc_where}: phải là một đối tượng JSON.")
        kind = doc.get("kind")
        if kind not in DOCUMENT_KINDS:
            raise ValidationError.single(
                "documents", f"{doc_where}: 'kind' phải là 'original' hoặc 'copy'."
            )
        documents.append(
            DocumentSpec(
                name=_text(doc_where, doc, "name"),
                kind=str(kind),
                count=_int(doc_where, doc.get("count", 1), "count", minimum=1, maximum=MAX_COUNT),
            )
        )
    if not documents:
        raise ValidationError.single(
            "documents", f"{where}: cần ít nhất một giấy tờ trong 'documents'."
        )
    fees = []
    raw_fees = obj.get("fees", [])
    if not isinstance(raw_fees, list):
        raise ValidationError.single("fees", f"{where}: 'fees' phải là danh sách.")
    for index, fee in enumerate(raw_fees, start=1):
        fee_where = f"{where}, khoản phí thứ {index}"
        if not isinstance(fee, Mapping):
            raise ValidationError.single("fees", f"{fee_where}: phải là một đối tượng JSON.")
        fees.append(
            FeeSpec(
                amount=_int(fee_where, fee.get("amount"), "amount", minimum=0, maximum=MAX_FEE),
                description=_text(fee_where, fee, "description", required=False),
            )
        )
    return ProcedureSpec(
        code=code,
        name=_text(where, obj, "name"),
        field=_text(where, obj, "field"),
        time_value=time_value,
        time_unit=unit,
        cutoff=parse_cutoff(where, obj.get("cutoff")),
        fees=tuple(fees),
        documents=tuple(documents),
        result=_text(where, obj, "result", required=False),
        legal_basis=_text(where, obj, "legal_basis", required=False),
        level=_text(where, obj, "level", required=False),
        source=_text(where, obj, "source", required=False),
    )


def parse_catalogue(data: Any) -> list[ProcedureSpec]:
    """All procedures of an import file, or one ValidationError for the first bad one."""
    items = data.get("procedures") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise ValidationError.single(
            "catalogue", 'Tệp danh mục phải là một danh sách thủ tục (hoặc {"procedures": [...]}).'
        )
    specs = [parse_procedure(item, position) for position, item in enumerate(items, start=1)]
    seen: set[str] = set()
    for spec in specs:
        if spec.code in seen:
            raise ValidationError.single("code", f"Mã thủ tục {spec.code} xuất hiện hai lần.")
        seen.add(spec.code)
    return specs
