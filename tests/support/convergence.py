"""The oracle of the fault tests: after the network heals, does the hub hold exactly what
the stations committed? Counts lost, duplicated and unexpected records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from counter_app.domain.clock import iso
from counter_app.hub.db import hub_db
from counter_app.hub.models import HubDossier, HubStatusEntry, PushedItem
from counter_app.store.models import Dossier, Outbox, StatusHistory
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from tests.support.hubkit import Station

Step = tuple[int | None, int, str, str, str]


@dataclass
class Tally:
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, kind: str, message: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.problems.append(f"{kind}: {message}")

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.unexpected)


def drain(station: Station, hub_url: str, *, rounds: int = 10) -> None:
    """Sync until nothing waits in either direction (the network has healed)."""
    ctx = station.activate()
    for _ in range(rounds):
        report = run_sync(ctx, HubClient(hub_url, station.token, timeout_s=10))
        if not report.error and report.pending == 0 and report.pulled == 0:
            return
    raise AssertionError(f"station {station.number} did not drain: {report.to_json()}")


def station_record(station: Station) -> tuple[dict[str, list[Step]], dict[str, int], list[str]]:
    station.activate()
    steps: dict[str, list[Step]] = {}
    status: dict[str, int] = {}
    for row in Dossier.select():
        status[row.code] = row.status
        steps[row.code] = [
            (h.from_status, h.to_status, iso(h.at), h.actor, h.note)
            for h in StatusHistory.select()
            .where((StatusHistory.dossier == row.id) & (StatusHistory.origin == "local"))
            .order_by(StatusHistory.id)
        ]
    items = [row.item_id for row in Outbox.select().order_by(Outbox.id)]
    return steps, status, items


def compare(stations: list[Station]) -> Tally:
    tally = Tally()
    expected_codes: set[str] = set()
    with hub_db.connection_context():
        for station in stations:
            steps, status, items = station_record(station)
            expected_codes |= set(steps)
            pushed = Counter(
                row.item_id
                for row in PushedItem.select().where(
                    (PushedItem.agency_code == station.agency_code)
                    & (PushedItem.station == station.number)
                )
            )
            for item_id in items:
                if pushed[item_id] == 0:
                    tally.fail("lost", f"item {item_id} of station {station.number}")
            for code, local in steps.items():
                hub = HubDossier.get_or_none(HubDossier.code == code)
                if hub is None:
                    tally.fail("lost", f"dossier {code}")
                    continue
                if hub.status != status[code]:
                    tally.fail("unexpected", f"{code}: hub {hub.status}, station {status[code]}")
                remote = [
                    (h.from_status, h.to_status, iso(h.at), h.actor, h.note)
                    for h in HubStatusEntry.select()
                    .where((HubStatusEntry.code == code) & (HubStatusEntry.source == "station"))
                    .order_by(HubStatusEntry.position)
                ]
                if len(remote) > len(local) and remote[: len(local)] == local:
                    tally.fail("duplicated", f"{code}: {len(remote)} steps for {len(local)}")
                elif len(remote) < len(local):
                    tally.fail("lost", f"{code}: {len(remote)} steps of {len(local)}")
                elif remote != local:
                    tally.fail("unexpected", f"{code}: history differs")
        for row in HubDossier.select():
            if row.code not in expected_codes:
                tally.fail("unexpected", f"hub holds {row.code} that no station committed")
    return tally
