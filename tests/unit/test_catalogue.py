"""The catalogue: what ships, how clerks find a procedure, and import as new versions."""

from __future__ import annotations

import json

import pytest

from counter_app.domain.catalogue import PROCEDURE_CODE, parse_catalogue
from counter_app.errors import ValidationError
from counter_app.resources import resource_path
from counter_app.services.catalogue import (
    export_catalogue,
    get_procedure,
    import_catalogue,
    list_procedures,
    search_procedures,
)
from counter_app.services.context import CounterContext
from counter_app.store.models import Procedure


def test_seed_has_twenty_real_commune_procedures() -> None:
    seed = json.loads(resource_path("catalogue", "seed.json").read_text("utf-8"))
    specs = parse_catalogue(seed)
    assert len(specs) >= 20
    for spec in specs:
        assert PROCEDURE_CODE.match(spec.code)
        assert spec.documents and spec.source
        assert all(doc.kind in ("original", "copy") and doc.count >= 1 for doc in spec.documents)
    by_code = {spec.code: spec for spec in specs}
    assert by_code["1.001193"].name == "Thủ tục đăng ký khai sinh"
    assert by_code["1.001193"].time_unit == "same_day"
    assert by_code["1.001193"].cutoff is not None
    assert by_code["1.001193"].cutoff.strftime("%H:%M") == "15:00"


@pytest.mark.parametrize(
    ("typed", "expected_code"),
    [
        ("dang ky khai sinh", "1.001193"),
        ("Đăng ký khai sinh", "1.001193"),
        ("DANG KY KHAI TU", "1.000656"),
        ("chung thuc ban sao", "2.000815"),
        ("ket hon", "1.000894"),
        ("1.004873", "1.004873"),
    ],
)
def test_search_ignores_marks_and_d(
    counter: CounterContext, typed: str, expected_code: str
) -> None:
    found = search_procedures(counter, typed)
    assert found, typed
    assert found[0].code == expected_code


def test_search_with_no_match(counter: CounterContext) -> None:
    assert search_procedures(counter, "xyz khong co") == []


def test_export_import_round_trip_changes_nothing(counter: CounterContext) -> None:
    exported = export_catalogue(counter)
    summary = import_catalogue(counter, exported)
    assert summary.created == 0 and summary.new_versions == 0
    assert summary.unchanged == len(exported)


def test_changed_procedure_becomes_a_new_version(counter: CounterContext) -> None:
    exported = export_catalogue(counter)
    changed = [dict(p) for p in exported if p["code"] == "2.000635"]
    changed[0]["fees"] = [{"amount": 10000, "description": "Lệ phí mới"}]
    new = {
        "code": "1.000948.H38",
        "name": "Thủ tục thí điểm của tỉnh",
        "field": "Hộ tịch",
        "time_value": 4,
        "time_unit": "working_hours",
        "cutoff": None,
        "fees": [],
        "documents": [{"name": "Tờ khai", "kind": "original", "count": 1}],
    }
    summary = import_catalogue(counter, {"procedures": [*changed, new]})
    assert (summary.created, summary.new_versions) == (1, 1)
    info = get_procedure(counter, "2.000635")
    assert info.version == 2 and info.fees == ((10000, "Lệ phí mới"),)
    assert Procedure.select().where(Procedure.code == "2.000635").count() == 2
    assert get_procedure(counter, "1.000948.h38").time_text == "04 giờ làm việc"


def test_bad_import_is_refused_whole(counter: CounterContext) -> None:
    before = Procedure.select().count()
    good = export_catalogue(counter)[0] | {"code": "1.999991"}
    bad = dict(good, code="1.999992", time_unit="weeks")
    with pytest.raises(ValidationError) as caught:
        import_catalogue(counter, [good, bad])
    assert "1.999992" in caught.value.message and "đơn vị thời gian" in caught.value.message
    assert Procedure.select().count() == before


@pytest.mark.parametrize(
    ("patch", "fragment"),
    [
        ({"code": "ABC"}, "mã thủ tục"),
        ({"documents": [{"name": "X", "kind": "scan", "count": 1}]}, "original"),
        ({"documents": [{"name": "X", "kind": "copy", "count": 0}]}, "count"),
        ({"fees": [{"amount": -5, "description": ""}]}, "amount"),
        ({"cutoff": "3pm"}, "HH:MM"),
        ({"name": ""}, "name"),
        ({"time_value": 10**20}, "time_value"),
        ({"time_unit": "working_days", "time_value": 3_000_000}, "365"),
        ({"documents": [{"name": "X", "kind": "copy", "count": 5000}]}, "999"),
        ({"documents": []}, "ít nhất một giấy tờ"),
    ],
)
def test_import_errors_name_the_field(
    counter: CounterContext, patch: dict[str, object], fragment: str
) -> None:
    item = export_catalogue(counter)[0] | patch
    with pytest.raises(ValidationError) as caught:
        import_catalogue(counter, [item])
    assert fragment in caught.value.message


def test_list_is_current_versions_only(counter: CounterContext) -> None:
    codes = [p.code for p in list_procedures(counter)]
    assert len(codes) == len(set(codes))
