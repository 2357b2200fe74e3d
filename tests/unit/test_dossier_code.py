"""Dossier codes: the legal shape, and offline uniqueness across stations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.dossier_code import (
    format_code,
    parse_code,
    station_number,
    validate_agency_code,
)
from counter_app.errors import ValidationError


def test_code_has_the_legal_shape() -> None:
    moment = datetime(2026, 11, 25, 8, 30, tzinfo=VN_TZ)
    assert format_code("000.00.17.H26", moment, 1001) == "000.00.17.H26-261125-1001"


def test_date_is_taken_in_vietnam_time() -> None:
    # 20:00 UTC on the 24th is 03:00 on the 25th in Hà Nội.
    moment = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    assert format_code("000.00.17.H26", moment, 2001).split("-")[1] == "261125"


def test_stations_own_disjoint_blocks() -> None:
    numbers = {station_number(station, seq) for station in range(1, 10) for seq in range(1, 1000)}
    assert len(numbers) == 9 * 999
    assert all(1001 <= n <= 9999 for n in numbers)
    assert station_number(3, 1) == 3001


def test_block_exhaustion_and_bad_station_are_refused() -> None:
    with pytest.raises(ValidationError):
        station_number(1, 1000)
    with pytest.raises(ValidationError) as caught:
        station_number(10, 1)
    assert "Số máy" in caught.value.fields["station"]


def test_parse_round_trip() -> None:
    parsed = parse_code("000.00.17.H26-261125-3042")
    assert parsed.agency_code == "000.00.17.H26"
    assert parsed.day.isoformat() == "2026-11-25"
    assert parsed.station == 3


@pytest.mark.parametrize("bad", ["000.00.17", "00.00.17.H26", "000.00.17.126", "abc"])
def test_bad_agency_codes(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_agency_code(bad)
    assert "Mã đơn vị" in caught.value.fields["agency_code"]
