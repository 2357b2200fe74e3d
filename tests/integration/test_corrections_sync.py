"""A supervisor's corrections travel to a real hub over HTTP (SQLite file and real
PostgreSQL): an amended applicant replaces the hub's copy, a cancelled dossier ends in 7
there too, and the sync oracle finds nothing lost, doubled or unexpected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from counter_app.hub.db import hub_db
from counter_app.hub.forwarding import payload_for
from counter_app.hub.models import HubDossier, HubEvent, HubStatusEntry, PushedItem
from counter_app.hub.national import validate_national_payload
from counter_app.services.corrections import ApplicantChanges, amend_dossier, cancel_dossier
from counter_app.services.dossiers import get_dossier
from counter_app.services.tracking import hand_over
from counter_app.store.models import Outbox
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from tests.support.convergence import compare
from tests.support.hubkit import Station, fresh_hub_db, intake, make_station, running_hub

BODY = "Công chức Tư pháp - Hộ tịch"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path: Path, home: Path) -> Iterator[str]:
    url = fresh_hub_db(request.param, tmp_path)
    with running_hub(url) as server:
        yield server.url


def sync(station: Station, hub_url: str) -> dict[str, object]:
    ctx = station.activate()
    return run_sync(ctx, HubClient(hub_url, station.token, timeout_s=10)).to_json()


def test_amend_and_cancel_reach_the_hub_and_its_copy_matches(hub: str, tmp_path: Path) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    amended, cancelled, fresh = intake(ctx, 1), intake(ctx, 2), intake(ctx, 3)
    hand_over(ctx, amended, BODY)
    assert sync(one, hub)["pushed"] == 4

    ctx = one.activate()
    amend_dossier(
        ctx,
        amended,
        ApplicantChanges(
            name="Nguyễn Văn Đông",
            id_number="001085012345",
            dob=date(1985, 2, 3),
            address="Thôn Tây Hòa, xã An Hòa",
            email="dong@example.vn",
        ),
        "Gõ nhầm so với CCCD",
    )
    cancel_dossier(ctx, cancelled, "Nhập trùng hồ sơ", cause="duplicate")
    # Never synced before its correction: intake and amendment go up in one push.
    amend_dossier(ctx, fresh, ApplicantChanges(phone="0987654321"), "Số mới")
    cancel_dossier(ctx, fresh, "Nhầm thủ tục", cause="wrong_procedure")
    report = sync(one, hub)
    assert (report["pushed"], report["rejected"], report["pending"]) == (4, 0, 0)
    assert sync(one, hub)["pushed"] == 0  # nothing doubled

    tally = compare([one])
    assert tally.clean, tally.problems

    ctx = one.activate()
    station = {code: get_dossier(ctx, code) for code in (amended, cancelled, fresh)}
    with hub_db.connection_context():
        rows = {row.code: row for row in HubDossier.select()}
        for code, detail in station.items():
            local = detail.to_json()
            assert rows[code].detail["applicant"] == local["applicant"]
            assert rows[code].detail["applicant_name"] == local["applicant_name"]
            assert rows[code].status == detail.summary.status
            assert rows[code].due_at == detail.summary.due_at
        assert rows[amended].detail["applicant"]["name"] == "Nguyễn Văn Đông"
        assert rows[amended].detail["applicant"]["dob"] == "1985-02-03"
        assert rows[cancelled].status == rows[fresh].status == 7
        notes = [
            h.note
            for h in HubStatusEntry.select()
            .where(HubStatusEntry.code == cancelled)
            .order_by(HubStatusEntry.position)
        ]
        assert notes[-1] == "Hủy do nhập nhầm: Nhập trùng hồ sơ"
        event = HubEvent.get((HubEvent.code == cancelled) & (HubEvent.kind == "dossier.cancelled"))
        assert event.payload["cause"] == "duplicate" and event.payload["cancelled"] is True
        change = HubEvent.get((HubEvent.code == amended) & (HubEvent.kind == "dossier.amended"))
        assert change.payload["changes"]["name"] == {
            "old": "Nguyễn Văn Thử 1",
            "new": "Nguyễn Văn Đông",
        }
        # What goes on to the province names the corrected applicant.
        national, revision = payload_for(amended, "UBND xã An Hòa")
        assert validate_national_payload(national) == []
        assert national["ChuHoSo"] == "Nguyễn Văn Đông"
        assert national["SoGiayToChuHoSo"] == "001085012345"
        assert national["Email"] == "dong@example.vn"
        assert revision == rows[amended].revision
        cancelled_national, _ = payload_for(cancelled, "UBND xã An Hòa")
        assert cancelled_national["TrangThaiHoSo"] == "7"
        assert cancelled_national["NgayTuChoi"] == ""  # not reported as a refusal


def test_the_hub_refuses_a_malformed_correction_and_keeps_nothing(hub: str, tmp_path: Path) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    code = intake(ctx, 1)
    sync(one, hub)
    ctx = one.activate()
    amend_dossier(ctx, code, ApplicantChanges(name="Nguyễn Văn Đông"), "Gõ nhầm")
    cancel_dossier(ctx, code, "Nhập trùng")
    client = HubClient(hub, one.token)
    items = []
    for row in Outbox.select().where(Outbox.acked_at.is_null()).order_by(Outbox.id):
        payload = dict(row.payload)
        if row.kind == "dossier.amended":
            payload["applicant"] = {"name": 42}
        else:
            payload["status"] = 4
        items.append(
            {
                "id": row.item_id + "-x",
                "seq": row.id,
                "kind": row.kind,
                "ref": row.entity_ref,
                "created_at": "2026-11-25T09:00:00+07:00",
                "payload": payload,
            }
        )
    results = client.post("/api/v1/push", {"items": items}).data["results"]
    assert [r["outcome"] for r in results] == ["rejected", "rejected"]
    assert "applicant" in results[0]["error"]
    assert "trạng thái 7" in results[1]["error"]
    with hub_db.connection_context():
        row = HubDossier.get(HubDossier.code == code)
        assert row.status == 2 and row.revision == 1
        assert row.detail["applicant"]["name"] == "Nguyễn Văn Thử 1"
        assert HubStatusEntry.select().where(HubStatusEntry.code == code).count() == 1
        assert HubEvent.select().where(HubEvent.code == code).count() == 0
        assert PushedItem.select().where(PushedItem.outcome == "rejected").count() == 2
    # The real items still go through afterwards.
    assert sync(one, hub)["pushed"] == 2
    with hub_db.connection_context():
        row = HubDossier.get(HubDossier.code == code)
        assert (row.status, row.detail["applicant_name"]) == (7, "Nguyễn Văn Đông")
