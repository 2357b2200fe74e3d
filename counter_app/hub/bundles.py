"""Loading a station's bundle at the hub (``counter-app hub import``): same dedupe as a push."""

from __future__ import annotations

from pathlib import Path

from counter_app.errors import NotFoundError
from counter_app.hub.db import hub_db
from counter_app.hub.ingest import ACCEPTED, apply_items
from counter_app.hub.models import Station
from counter_app.hub.stations import StationRef
from counter_app.sync.bundle import read_bundle

BATCH = 500


def import_bundle(path: Path) -> dict[str, int | str]:
    bundle = read_bundle(path)
    with hub_db.connection_context():
        row = (
            Station.select()
            .where(
                (Station.agency_code == bundle.agency_code) & (Station.station == bundle.station)
            )
            .order_by(Station.id.desc())
            .first()
        )
        if row is None:
            raise NotFoundError(
                f"Máy {bundle.station} của đơn vị {bundle.agency_code} chưa được đăng ký ở huyện "
                "(counter-app hub add-station); gói chưa được nạp."
            )
        station = StationRef(row.id, row.agency_code, row.station)
        accepted = rejected = replayed = 0
        for start in range(0, len(bundle.items), BATCH):
            for result in apply_items(station, bundle.items[start : start + BATCH], via="bundle"):
                if result.replay:
                    replayed += 1
                elif result.outcome == ACCEPTED:
                    accepted += 1
                else:
                    rejected += 1
    return {
        "agency_code": bundle.agency_code,
        "station": bundle.station,
        "items": len(bundle.items),
        "accepted": accepted,
        "rejected": rejected,
        "replayed": replayed,
    }
