"""Two stations and a real hub over HTTP (SQLite file and real PostgreSQL): push, dedupe,
rejection, pull of statuses, catalogues and calendars, bundles."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_app.hub.bundles import import_bundle
from counter_app.hub.db import hub_db
from counter_app.hub.feed import publish_calendar, publish_catalogue, set_status
from counter_app.hub.models import HubDossier, HubStatusEntry, PushedItem
from counter_app.services.dossiers import get_dossier
from counter_app.services.tracking import change_status, hand_over
from counter_app.store.models import Outbox, Procedure, StatusHistory, SyncIssue
from counter_app.sync import state
from counter_app.sync.bundle import export_bundle
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from tests.support.hubkit import (
    OTHER_AGENCY,
    Station,
    fresh_hub_db,
    intake,
    make_station,
    running_hub,
)

BODY = "Công chức Tư pháp - Hộ tịch"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path: Path, home: Path) -> Iterator[str]:
    url = fresh_hub_db(request.param, tmp_path)
    with running_hub(url) as server:
        yield server.url


def sync(station: Station, hub_url: str) -> dict[str, object]:
    ctx = station.activate()
    return run_sync(ctx, HubClient(hub_url, station.token, timeout_s=10)).to_json()


def hub_codes() -> list[str]:
    with hub_db.connection_context():
        return [row.code for row in HubDossier.select().order_by(HubDossier.code)]


def test_two_stations_push_their_dossiers_exactly_once(hub: str, tmp_path: Path) -> None:
    one, two = make_station(tmp_path, 1), make_station(tmp_path, 2)
    ctx = one.activate()
    codes_one = [intake(ctx, i) for i in range(3)]
    hand_over(ctx, codes_one[0], BODY)
    ctx = two.activate()
    codes_two = [intake(ctx, 10 + i) for i in range(2)]

    first = sync(one, hub)
    assert (first["pushed"], first["rejected"], first["pending"]) == (4, 0, 0)
    assert sync(two, hub)["pushed"] == 2
    assert sync(one, hub)["pushed"] == 0  # nothing new, nothing doubled
    assert hub_codes() == sorted(codes_one + codes_two)
    with hub_db.connection_context():
        steps = [
            (h.from_status, h.to_status)
            for h in HubStatusEntry.select()
            .where(HubStatusEntry.code == codes_one[0])
            .order_by(HubStatusEntry.position)
        ]
    ctx = one.activate()
    local = [(h.from_status, h.to_status) for h in get_dossier(ctx, codes_one[0]).history]
    assert steps == local


def test_resend_gets_the_first_answer_and_a_changed_payload_is_refused(
    hub: str, tmp_path: Path
) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    intake(ctx, 1)
    row = Outbox.select().first()
    item = {
        "id": row.item_id,
        "seq": row.id,
        "kind": row.kind,
        "ref": row.entity_ref,
        "created_at": "2026-11-25T09:00:00+07:00",
        "payload": row.payload,
    }
    client = HubClient(hub, one.token)
    assert client.post("/api/v1/push", {"items": [item]}).data["results"][0] == {
        "id": row.item_id,
        "outcome": "accepted",
    }
    again = client.post("/api/v1/push", {"items": [item]}).data["results"][0]
    assert again == {"id": row.item_id, "outcome": "accepted", "replay": True}
    changed = {**item, "payload": {**row.payload, "status": 4}}
    refused = client.post("/api/v1/push", {"items": [changed]}).data["results"][0]
    assert refused["outcome"] == "rejected" and "nội dung khác" in refused["error"]
    with hub_db.connection_context():
        assert PushedItem.select().count() == 1
        assert HubDossier.get().status == 2


def test_a_refused_item_is_kept_on_its_dossier_and_does_not_block_the_rest(
    hub: str, tmp_path: Path
) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    # A procedure the district's catalogue does not have (added at this counter only).
    Procedure.update(code="9.999999").where(Procedure.code == "2.000635").execute()
    bad = intake(ctx, 1, procedure="9.999999")
    good = intake(ctx, 2)
    change_status(ctx, bad, 4)  # its later step is refused too: the hub has no such dossier
    report = sync(one, hub)
    assert (report["pushed"], report["rejected"], report["pending"]) == (1, 2, 0)
    assert hub_codes() == [good]
    issues = [i.message for i in SyncIssue.select().where(SyncIssue.dossier_code == bad)]
    assert "9.999999" in issues[0] and "không có trong danh mục" in issues[0]
    assert state.sync_status().rejected == 2
    # The clerk settles it with the district and dismisses it: the status bar is clear
    # again, the dossier keeps its note.
    opened = state.recent_issues()
    assert state.dismiss_issues([i["id"] for i in opened], actor="Mai") == 2
    assert (state.sync_status().rejected, state.sync_status().issues) == (0, 0)
    assert state.recent_issues() == []
    assert all(i["dismissed"] for i in state.issues_for(bad))


def test_district_status_comes_down_and_is_ready_to_return(hub: str, tmp_path: Path) -> None:
    one, two = make_station(tmp_path, 1), make_station(tmp_path, 2)
    ctx = one.activate()
    code = intake(ctx, 1)
    hand_over(ctx, code, BODY)
    sync(one, hub)
    with hub_db.connection_context():
        set_status(code, 9, unit="Phòng Tư pháp")
    assert sync(two, hub)["pulled"] == 0  # not station 2's dossier
    report = sync(one, hub)
    assert report["pulled"] == 1
    detail = get_dossier(one.activate(), code)
    assert detail.summary.status == 9
    pulled = StatusHistory.select().order_by(StatusHistory.id.desc()).first()
    assert pulled.origin == "hub" and "Phòng Tư pháp" in pulled.actor
    assert sync(one, hub)["pushed"] == 0  # the pulled step is not pushed back
    assert sync(one, hub)["pulled"] == 0  # and not pulled twice


def test_catalogue_and_calendar_updates_reach_every_station(hub: str, tmp_path: Path) -> None:
    one, two = make_station(tmp_path, 1), make_station(tmp_path, 2)
    ctx = one.activate()
    catalogue = [
        {k: v for k, v in p.items() if k != "version"}
        for p in __import__("counter_app.services.catalogue", fromlist=["x"]).export_catalogue(ctx)
    ]
    catalogue[0]["name"] = catalogue[0]["name"] + " (sửa đổi 2027)"
    with hub_db.connection_context():
        publish_catalogue(catalogue)
        publish_calendar({"year": 2027, "days_off": ["2027-01-01"], "working_days": []})
    for station in (one, two):
        assert sync(station, hub)["pulled"] == 2
        current = Procedure.get((Procedure.code == catalogue[0]["code"]) & Procedure.is_current)
        assert current.name.endswith("(sửa đổi 2027)") and current.version == 2
        assert state.cursor() > 0


def test_bundle_imported_twice_then_pushed_changes_nothing_more(hub: str, tmp_path: Path) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    codes = [intake(ctx, i) for i in range(3)]
    path = tmp_path / "usb" / "dongbo.mcb"
    path.parent.mkdir()
    assert export_bundle(ctx, path, actor="Mai")["items"] == 3
    with hub_db.connection_context():
        first = import_bundle(path)
        second = import_bundle(path)
    assert (first["accepted"], second["accepted"], second["replayed"]) == (3, 0, 3)
    assert hub_codes() == sorted(codes)
    report = sync(one, hub)  # online afterwards: replays, the outbox empties
    assert (report["pushed"], report["pending"]) == (3, 0)
    assert hub_codes() == sorted(codes)


def test_an_altered_bundle_is_refused_whole(hub: str, tmp_path: Path) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    intake(ctx, 1)
    path = tmp_path / "b.mcb"
    export_bundle(ctx, path, actor="Mai")
    outer = json.loads(gzip.decompress(path.read_bytes()))
    outer["bundle"]["items"][0]["payload"]["status"] = 9
    path.write_bytes(gzip.compress(json.dumps(outer).encode()))
    from counter_app.sync.bundle import BundleError

    with hub_db.connection_context(), pytest.raises(BundleError, match="mã kiểm tra"):
        import_bundle(path)
    assert hub_codes() == []


def test_a_station_cannot_push_or_read_another_agency(hub: str, tmp_path: Path) -> None:
    one = make_station(tmp_path, 1)
    other = make_station(tmp_path, 1, agency_code=OTHER_AGENCY)
    ctx = one.activate()
    code = intake(ctx, 1)
    sync(one, hub)
    from counter_app.sync.client import HubRefused

    with pytest.raises(HubRefused) as refused:
        HubClient(hub, other.token).get(f"/api/v1/dossiers/{code}")
    assert refused.value.status == 403
    assert HubClient(hub, other.token).get("/api/v1/dossiers").data["dossiers"] == []
    row = Outbox.select().first()
    item = {
        "id": "forged-1",
        "seq": 1,
        "kind": row.kind,
        "ref": row.entity_ref,
        "created_at": "2026-11-25T09:00:00+07:00",
        "payload": row.payload,
    }
    result = HubClient(hub, other.token).post("/api/v1/push", {"items": [item]}).data
    assert result["results"][0]["outcome"] == "rejected"


def test_the_district_records_only_processing_decisions(hub: str, tmp_path: Path) -> None:
    from counter_app.errors import ConflictError, ValidationError

    one = make_station(tmp_path, 1)
    ctx = one.activate()
    code = intake(ctx, 1)
    sync(one, hub)
    with hub_db.connection_context():
        with pytest.raises(ConflictError, match="tại quầy"):
            set_status(code, 10)
        with pytest.raises(ValidationError, match="lý do"):
            set_status(code, 5)
        set_status(code, 5, note="Thiếu bản sao giấy khai sinh")
    sync(one, hub)
    assert get_dossier(one.activate(), code).summary.status == 5
