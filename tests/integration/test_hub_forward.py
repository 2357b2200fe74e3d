"""The hub forwards each dossier's latest state to the province, with retries, and only
marks it sent once the province accepted it (checked by a stub that validates the
national payload)."""

from __future__ import annotations

from pathlib import Path

from counter_app.hub.db import hub_db
from counter_app.hub.feed import set_status
from counter_app.hub.forwarding import ForwardTarget, forward_pending
from counter_app.hub.models import ForwardItem
from counter_app.services.tracking import hand_over
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from tests.support.hubkit import intake, make_station, running_hub
from tests.support.province_stub import province_stub


def test_dossiers_reach_the_province_valid_and_once(tmp_path: Path, home: Path) -> None:
    with running_hub(str(tmp_path / "hub.sqlite3")) as hub:
        one = make_station(tmp_path, 1)
        ctx = one.activate()
        codes = [intake(ctx, i) for i in range(3)]
        hand_over(ctx, codes[0], "Công chức Tư pháp - Hộ tịch")
        run_sync(ctx, HubClient(hub.url, one.token))
        with province_stub(fail_first=2) as stub:
            target = ForwardTarget(stub.url, unit_name="UBND huyện Thử")
            report = forward_pending(target, backoff_s=0.01)
            assert report.to_json() == {"sent": 3, "failed": 0, "waiting": 0}
            assert stub.rejected == []
            assert sorted(p["MaHoSo"] for p in stub.received) == sorted(codes)
            first = next(p for p in stub.received if p["MaHoSo"] == codes[0])
            assert first["TrangThaiHoSo"] == "4" and len(first["NgayTiepNhan"]) == 14
            assert forward_pending(target).sent == 0  # nothing new: nothing resent

            with hub_db.connection_context():
                set_status(codes[0], 9, unit="Phòng Tư pháp")
            assert forward_pending(target).sent == 1
            latest = stub.received[-1]
            assert (latest["MaHoSo"], latest["TrangThaiHoSo"]) == (codes[0], "9")
            assert any(
                step.get("PhongBanXuLy") == "Phòng Tư pháp"
                for step in latest.get("QuaTrinhXuLy", [])
            )


def test_a_province_that_is_down_keeps_the_queue(tmp_path: Path, home: Path) -> None:
    with running_hub(str(tmp_path / "hub.sqlite3")) as hub:
        one = make_station(tmp_path, 1)
        ctx = one.activate()
        intake(ctx, 1)
        run_sync(ctx, HubClient(hub.url, one.token))
        with province_stub(fail_first=100) as stub:
            report = forward_pending(ForwardTarget(stub.url), attempts=2, backoff_s=0.01)
            assert (report.sent, report.failed, report.waiting) == (0, 1, 1)
        with hub_db.connection_context():
            item = ForwardItem.get()
            assert item.sent_at is None and item.attempts == 2 and "503" in item.last_error
