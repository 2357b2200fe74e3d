"""What the hub holds: stations, every item they pushed, the dossiers, their histories, the
feed the stations pull, and the queue to the province.

Portable across SQLite and PostgreSQL: moments are ISO 8601 text with the +07:00 offset
(text order is time order), JSON is text. Ordering is always by the hub's own ids, never by
a station's clock.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BigAutoField,
    BooleanField,
    CharField,
    IntegerField,
    Model,
    TextField,
)

from counter_app.hub.db import hub_db
from counter_app.store.fields import JsonField, MomentField


class HubModel(Model):
    class Meta:
        database = hub_db
        legacy_table_names = False


class Station(HubModel):
    """One counter PC allowed to talk to the hub. Only the token's hash is kept."""

    id = AutoField()
    agency_code = CharField()
    station = IntegerField()
    token_hash = CharField(unique=True)
    label = TextField(default="")
    created_at = MomentField()
    revoked_at = MomentField(null=True)
    last_seen_at = MomentField(null=True)
    clock_offset_s = IntegerField(null=True)


class PushedItem(HubModel):
    """Every outbox item a station delivered (online or by bundle), with the answer it got.

    The primary key is the station's item id: a resend finds its row and gets the same
    answer; the same id with another payload is refused.
    """

    item_id = CharField(primary_key=True, max_length=64)
    agency_code = CharField()
    station = IntegerField()
    seq = IntegerField()
    kind = CharField()
    ref = CharField()
    payload_hash = CharField(max_length=64)
    outcome = CharField()  # accepted | rejected
    error = TextField(default="")
    via = CharField()  # push | bundle
    received_at = MomentField()

    class Meta:
        table_name = "hub_pushed_item"
        indexes = ((("agency_code", "station", "seq"), False),)


class HubDossier(HubModel):
    """A dossier as the hub knows it: the station's intake record plus its current state."""

    code = CharField(primary_key=True)
    agency_code = CharField(index=True)
    station = IntegerField()
    procedure_code = CharField()
    status = IntegerField()
    received_at = MomentField()
    due_at = MomentField()
    returned_at = MomentField(null=True)
    detail = JsonField()
    hub_received_at = MomentField()
    updated_at = MomentField()
    revision = IntegerField(default=1)  # +1 on every change: what the province last got

    class Meta:
        table_name = "hub_dossier"


class HubEvent(HubModel):
    """Every later event of a dossier, in the order the hub applied it."""

    id = BigAutoField()
    code = CharField(index=True)
    kind = CharField()
    source = CharField()  # station | hub
    item_id = CharField(null=True)
    payload = JsonField()
    hub_at = MomentField()

    class Meta:
        table_name = "hub_event"


class HubStatusEntry(HubModel):
    """One step of a dossier's status history, as the station (or the district) recorded it."""

    id = BigAutoField()
    code = CharField()
    position = IntegerField()
    from_status = IntegerField(null=True)
    to_status = IntegerField()
    at = MomentField()
    actor = TextField()
    note = TextField(default="")
    source = CharField()  # station | hub

    class Meta:
        table_name = "hub_status_entry"
        indexes = ((("code", "position"), True),)


class FeedEntry(HubModel):
    """What stations pull, by cursor (this id): district statuses, catalogues, calendars.

    Writers take a lock first (``hub/feed.py``) so ids become visible in order and a
    cursor never skips a row that commits late.
    """

    id = BigAutoField()
    kind = CharField()  # status | catalogue | calendar
    agency_code = CharField(null=True)  # None: for every station
    station = IntegerField(null=True)
    ref = CharField(default="")
    payload = JsonField()
    at = MomentField()

    class Meta:
        table_name = "hub_feed"


class HubProcedure(HubModel):
    """The district's current catalogue: intakes of procedures not in it are refused."""

    code = CharField(primary_key=True)
    version = IntegerField()
    data = JsonField()

    class Meta:
        table_name = "hub_procedure"


class ForwardItem(HubModel):
    """A dossier whose latest state must still reach the province."""

    id = BigAutoField()
    code = CharField(index=True)
    created_at = MomentField()
    sent_at = MomentField(null=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    given_up = BooleanField(default=False)

    class Meta:
        table_name = "hub_forward"


class AuditHead(HubModel):
    """Each audit-chain head a station reported, with the hub's verdict on it: 'first',
    'ok' (the chain still holds the row the hub knew), or 'rewritten'."""

    id = BigAutoField()
    station_id = IntegerField(index=True)
    audit_id = IntegerField()
    hash = CharField()
    received_at = MomentField()
    verdict = CharField()
    detail = TextField(default="")


HUB_MODELS: list[type[HubModel]] = [
    Station,
    PushedItem,
    HubDossier,
    HubEvent,
    HubStatusEntry,
    FeedEntry,
    HubProcedure,
    ForwardItem,
    AuditHead,
]


def create_schema() -> None:
    """Create what is missing (first start of a new hub). Safe to call on every start."""
    with hub_db.atomic():
        hub_db.create_tables(HUB_MODELS, safe=True)
    from counter_app.hub.feed import ensure_catalogue

    ensure_catalogue()
