"""Peewee models over the schema the migrations create (they never create tables)."""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from counter_app.store.db import database
from counter_app.store.fields import DayField, JsonField, MomentField


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()


class Sequence(BaseModel):
    """Named running counters (daily dossier numbers, register numbers)."""

    name = CharField(primary_key=True)
    last = IntegerField()


class Procedure(BaseModel):
    """One version of a catalogue procedure; dossiers point at the version they used."""

    id = AutoField()
    code = CharField()
    version = IntegerField()
    name = TextField()
    name_key = TextField()
    field = TextField()
    level = TextField(default="")
    time_value = IntegerField()
    time_unit = CharField()
    cutoff = CharField(null=True)
    result = TextField(default="")
    legal_basis = TextField(default="")
    documents = JsonField()
    fees = JsonField()
    source = TextField(default="")
    is_current = BooleanField(default=True)
    created_at = MomentField()


class CalendarYear(BaseModel):
    year = IntegerField(primary_key=True)
    days_off = JsonField()
    working_days = JsonField()
    source = TextField(default="")
    imported_at = MomentField()


class Dossier(BaseModel):
    id = AutoField()
    code = CharField(unique=True)
    agency_code = CharField()
    station = IntegerField()
    procedure = ForeignKeyField(Procedure, backref="dossiers")
    applicant_kind = CharField()
    applicant_name = TextField()
    applicant_key = TextField()
    id_number = CharField(default="")
    tax_code = CharField(default="")
    dob = DayField(null=True)
    sex = CharField(null=True)
    address = TextField(default="")
    phone = CharField(default="")
    email = TextField(default="")
    received_at = MomentField()
    recorded_at = MomentField()
    due_at = MomentField()
    status = IntegerField()
    result_delivery = CharField()
    dossier_sets = IntegerField(default=1)
    register_book = CharField()
    register_number = IntegerField()
    clerk_name = TextField()
    entered_late = BooleanField(default=False)
    note = TextField(default="")
    holder = TextField(default="")
    paused_at = MomentField(null=True)
    resolved_at = MomentField(null=True)
    returned_at = MomentField(null=True)
    first_due_at = MomentField(null=True)
    submission_id = CharField(null=True)


class DossierDocument(BaseModel):
    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="documents")
    position = IntegerField()
    name = TextField()
    kind = CharField()
    count = IntegerField()


class StatusHistory(BaseModel):
    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="history")
    from_status = IntegerField(null=True)
    to_status = IntegerField()
    at = MomentField()
    actor = TextField()
    note = TextField(default="")
    origin = CharField(default="local")


class Outbox(BaseModel):
    """Every committed change, in commit order, waiting to be pushed upstream."""

    id = AutoField()
    item_id = CharField(unique=True)
    kind = CharField()
    entity_ref = CharField()
    payload = JsonField()
    created_at = MomentField()
    acked_at = MomentField(null=True)
    error = TextField(null=True)


class AuditLog(BaseModel):
    """Who did what, referring to dossiers by code only (no names or ID numbers)."""

    id = AutoField()
    at = MomentField()
    actor = TextField()
    action = CharField()
    object_ref = CharField(default="")
    detail = JsonField(default=dict)
    prev_hash = CharField(default="")
    hash = CharField(default="")


class Operator(BaseModel):
    """Someone who may use the counter; ``username`` is stored case-folded."""

    id = AutoField()
    username = CharField(unique=True)
    full_name = TextField()
    role = CharField()
    password_hash = TextField()
    active = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = MomentField(null=True)
    created_at = MomentField()
    password_changed_at = MomentField()


class Printout(BaseModel):
    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="printouts")
    form = CharField()
    at = MomentField()
    actor = TextField()
    reprint = BooleanField()
    path = TextField(default="")


class Handover(BaseModel):
    """One transfer of the dossier between the counter and a processing body (Mẫu 06)."""

    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="handovers")
    position = IntegerField()
    from_party = TextField()
    to_party = TextField()
    at = MomentField()
    giver = TextField(default="")
    taker = TextField(default="")
    step_due_at = MomentField()
    result = CharField()
    note = TextField(default="")
    actor = TextField()


class DueChange(BaseModel):
    """A due date that moved: after a pause (old and new kept) or by apology (Mẫu 04)."""

    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="due_changes")
    at = MomentField()
    kind = CharField()
    old_due_at = MomentField()
    new_due_at = MomentField()
    paused_from = MomentField(null=True)
    reason = TextField(default="")
    actor = TextField()


class Notice(BaseModel):
    """A form handed to the citizen about the dossier: Mẫu 02, 03, 04 or 05."""

    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="notices")
    form = CharField()
    number = CharField()
    at = MomentField()
    reason = TextField()
    documents = JsonField(default=list)
    due_at = MomentField()
    new_due_at = MomentField(null=True)
    officer_name = TextField(default="")
    officer_phone = TextField(default="")
    actor = TextField()


class DossierReturn(BaseModel):
    """The result handed back, to whom and how, and the citizen's rating (one per dossier)."""

    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="returns", unique=True)
    at = MomentField()
    receiver_kind = CharField()
    receiver_name = TextField()
    receiver_id_number = CharField(default="")
    channel = CharField()
    rating = IntegerField(null=True)
    comment = TextField(default="")
    actor = TextField()

    class Meta:
        table_name = "dossier_return"


class Complaint(BaseModel):
    """A complaint or suggestion (phản ánh, kiến nghị) with a deadline of its own."""

    id = AutoField()
    code = CharField(unique=True)
    received_at = MomentField()
    sender_name = TextField()
    sender_key = TextField()
    sender_contact = TextField(default="")
    dossier = ForeignKeyField(Dossier, null=True, backref="complaints")
    procedure_code = CharField(default="")
    channel = CharField()
    content = TextField()
    content_key = TextField()
    status = CharField()
    assignee = TextField(default="")
    due_at = MomentField()
    answer = TextField(default="")
    answered_at = MomentField(null=True)
    closed_at = MomentField(null=True)
    actor = TextField()


class SyncIssue(BaseModel):
    """Something the sync could not do, shown on the dossier it concerns."""

    id = AutoField()
    at = MomentField()
    direction = CharField()
    dossier_code = CharField(default="")
    item_id = CharField(default="")
    message = TextField()
    dismissed_at = MomentField(null=True)
    dismissed_by = TextField(default="")


class HubChange(BaseModel):
    """A hub change already applied here (pulled twice after a lost answer: applied once)."""

    change_id = IntegerField(primary_key=True)
    kind = CharField()
    ref = CharField(default="")
    applied_at = MomentField()
    outcome = CharField()


ALL_MODELS = [
    Setting,
    Sequence,
    Procedure,
    CalendarYear,
    Dossier,
    DossierDocument,
    StatusHistory,
    Outbox,
    AuditLog,
    Printout,
    Handover,
    DueChange,
    Notice,
    DossierReturn,
    Complaint,
    SyncIssue,
    HubChange,
]
