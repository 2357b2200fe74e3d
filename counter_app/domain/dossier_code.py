"""The dossier code ``<agency>-<YYMMDD>-<NNNN>`` (DOMAIN.md §3).

Offline numbering: each station of an agency owns its own block of running numbers so that
two PCs never issue the same code without talking to each other. Station ``s`` (1–9) numbers
its dossiers of a day ``s001 … s999``; the first digit of NNNN is the station. Numbers
0001–0999 are left for the district hub (dossiers received online).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from counter_app.domain.clock import to_vn
from counter_app.errors import ValidationError

MAX_STATIONS = 9
PER_STATION_PER_DAY = 999

# QCVN 102:2016/BTTTT electronic identifier: V1V2V3.Z1Z2.Y1Y2.MX1X2, e.g. 000.00.17.H26.
AGENCY_CODE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$")
DOSSIER_CODE = re.compile(
    r"^(?P<agency>[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2})"
    r"-(?P<day>\d{6})-(?P<number>\d{4})$"
)


def validate_agency_code(value: str) -> str:
    code = value.strip().upper()
    if not AGENCY_CODE.match(code):
        raise ValidationError.single(
            "agency_code",
            f"Mã đơn vị '{value.strip()}' không đúng dạng QCVN 102:2016 (ví dụ 000.00.17.H26).",
        )
    return code


def validate_station(value: int) -> int:
    if not 1 <= value <= MAX_STATIONS:
        raise ValidationError.single(
            "station", f"Số máy (trạm) phải từ 1 đến {MAX_STATIONS}, nhận được {value}."
        )
    return value


def station_number(station: int, sequence: int) -> int:
    """The NNNN of the ``sequence``-th dossier a station receives on one day (1-based)."""
    validate_station(station)
    if not 1 <= sequence <= PER_STATION_PER_DAY:
        raise ValidationError.single(
            "sequence",
            f"Máy số {station} đã cấp hết {PER_STATION_PER_DAY} mã hồ sơ trong ngày.",
        )
    return station * 1000 + sequence


def format_code(agency_code: str, received_at: datetime, number: int) -> str:
    day = to_vn(received_at).strftime("%y%m%d")
    return f"{agency_code}-{day}-{number:04d}"


@dataclass(frozen=True)
class ParsedCode:
    agency_code: str
    day: date
    number: int

    @property
    def station(self) -> int:
        return self.number // 1000


def parse_code(text: str) -> ParsedCode:
    match = DOSSIER_CODE.match(text.strip().upper())
    if not match:
        raise ValidationError.single("code", f"Mã hồ sơ '{text.strip()}' không đúng định dạng.")
    raw = match["day"]
    try:
        day = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        raise ValidationError.single(
            "code", f"Mã hồ sơ '{text.strip()}' có ngày không hợp lệ."
        ) from None
    return ParsedCode(match["agency"], day, int(match["number"]))
