"""Receiving a dossier: the code, the legal due date, and all-or-nothing saving."""

from __future__ import annotations

import errno
import unicodedata
from datetime import date, datetime

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.errors import NotFoundError, StorageError, ValidationError
from counter_app.services import intake
from counter_app.services.catalogue import export_catalogue, import_catalogue
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import get_dossier, received_on
from counter_app.services.dto import DocumentLine
from counter_app.services.intake import IntakeRequest, receive
from counter_app.store.models import AuditLog, Dossier, Outbox, Sequence, StatusHistory
from tests.support.counters import set_up_counter

from ..conftest import AGENCY_CODE

DUC = ApplicantInput(
    name="Nguyễn Văn Đức",
    id_number="001090012345",
    dob=date(1990, 5, 1),
    sex=Sex.MALE,
    address="Thôn Đông Hòa, xã An Hòa",
    phone="0912 345 678",
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def counts() -> tuple[int, int, int, int, int]:
    return (
        Dossier.select().count(),
        Outbox.select().count(),
        AuditLog.select().where(AuditLog.action.startswith("dossier")).count(),
        StatusHistory.select().count(),
        Sequence.select().count(),
    )


def test_intake_commits_dossier_history_outbox_and_audit(counter: CounterContext) -> None:
    detail = receive(
        counter,
        IntakeRequest("1.004873", DUC, received_at=at("2026-11-20T10:00:00")),
    )
    # Station 1's block starts at 1001; the date is the day received.
    assert detail.code == f"{AGENCY_CODE}-261120-1001"
    assert detail.summary.status == 2
    assert detail.summary.status_name == "Được tiếp nhận"
    # 3 working days from Fri 20/11/2026: Mon 23, (Tue 24 is Ngày Văn hóa Việt Nam, off),
    # Wed 25, Thu 26 -> 17:00 Thu 26/11.
    assert detail.summary.due_at == at("2026-11-26T17:00:00")
    assert [(h.from_status, h.to_status) for h in detail.history] == [(None, 2)]
    assert detail.phone == "0912345678"
    assert len(detail.documents) == 5
    outbox = Outbox.get()
    assert outbox.kind == "dossier.received" and outbox.entity_ref == detail.code
    assert outbox.payload["code"] == detail.code and outbox.acked_at is None
    audit = AuditLog.get(AuditLog.action == "dossier.intake.backdated")
    assert audit.object_ref == detail.code
    # No citizen's name or ID number in the audit trail.
    assert "Đức" not in str(audit.detail) and "001090012345" not in str(audit.detail)


def test_codes_run_on_within_the_day_and_restart_the_next(counter: CounterContext) -> None:
    codes = [
        receive(
            counter, IntakeRequest("2.000815", DUC, received_at=at(moment), allow_duplicate=True)
        ).code
        for moment in ("2026-11-23T08:00:00", "2026-11-23T09:00:00", "2026-11-24T08:00:00")
    ]
    assert [c.rsplit("-", 2)[1:] for c in codes] == [
        ["261123", "1001"],
        ["261123", "1002"],
        ["261124", "1001"],
    ]


def test_two_stations_offline_never_share_a_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from counter_app.services.calendars import reset_cache
    from counter_app.services.context import open_counter

    codes: list[str] = []
    for station in (1, 2):
        reset_cache()
        ctx = set_up_counter(open_counter(tmp_path / f"station{station}"), station=station)
        for _ in range(5):
            request = IntakeRequest(
                "2.000815", DUC, received_at=at("2026-11-23T08:00"), allow_duplicate=True
            )
            codes.append(receive(ctx, request).code)
        ctx.close()
    assert len(set(codes)) == 10
    assert {c[-4] for c in codes} == {"1", "2"}


def test_refused_applicant_saves_nothing(counter: CounterContext) -> None:
    before = counts()
    bad = ApplicantInput(name="Nguyễn Văn Đức", id_number="00109001234")
    with pytest.raises(ValidationError) as caught:
        receive(counter, IntakeRequest("1.001193", bad))
    assert "12 chữ số" in caught.value.fields["id_number"]
    assert counts() == before


def test_failure_inside_the_transaction_leaves_no_trace(
    counter: CounterContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(intake.outbox, "enqueue", broken)
    with pytest.raises(StorageError) as caught:
        receive(counter, IntakeRequest("1.001193", DUC))
    assert "Ổ đĩa đã đầy" in caught.value.message
    assert counts() == before
    monkeypatch.undo()
    # The number that failed is not burnt: the next dossier still gets 1001.
    assert receive(counter, IntakeRequest("1.001193", DUC)).code.endswith("-1001")


def test_unknown_procedure(counter: CounterContext) -> None:
    with pytest.raises(NotFoundError) as caught:
        receive(counter, IntakeRequest("9.999999", DUC))
    assert "9.999999" in caught.value.message


def test_future_receipt_time_refused(counter: CounterContext) -> None:
    with pytest.raises(ValidationError) as caught:
        receive(counter, IntakeRequest("1.001193", DUC, received_at=at("2030-01-01T08:00")))
    assert "Thời gian nhận hồ sơ" in caught.value.fields["received_at"]


def test_no_documents_ticked_is_refused(counter: CounterContext) -> None:
    with pytest.raises(ValidationError) as caught:
        receive(counter, IntakeRequest("1.001193", DUC, documents=()))
    assert "Thành phần hồ sơ" in caught.value.fields["documents"]


def test_texts_are_stored_nfc(counter: CounterContext) -> None:
    nfd = ApplicantInput(
        name=unicodedata.normalize("NFD", "Lê Thị Hoà"),
        id_number="001190012345",
        address=unicodedata.normalize("NFD", "Xóm Đình"),
    )
    docs = (DocumentLine(unicodedata.normalize("NFD", "Tờ khai đăng ký"), "original", 1),)
    detail = receive(counter, IntakeRequest("1.001193", nfd, documents=docs))
    row = Dossier.get(Dossier.code == detail.code)
    assert row.applicant_name == "Lê Thị Hoà" and unicodedata.is_normalized("NFC", row.address)
    assert detail.documents[0].name == "Tờ khai đăng ký"


def test_dossier_keeps_the_catalogue_version_it_was_received_under(
    counter: CounterContext,
) -> None:
    first = receive(
        counter,
        IntakeRequest("1.004873", DUC, received_at=at("2026-11-20T10:00"), allow_duplicate=True),
    )
    catalogue = export_catalogue(counter)
    for item in catalogue:
        if item["code"] == "1.004873":
            item["time_value"] = 5
    summary = import_catalogue(counter, catalogue)
    assert summary.new_versions == 1 and summary.unchanged == len(catalogue) - 1
    second = receive(
        counter,
        IntakeRequest("1.004873", DUC, received_at=at("2026-11-20T10:00"), allow_duplicate=True),
    )
    assert get_dossier(counter, first.code).procedure_version == 1
    assert get_dossier(counter, first.code).summary.due_at == at("2026-11-26T17:00")
    assert second.procedure_version == 2
    # 5 working days from Fri 20/11: 23, 25, 26, 27, 30 -> Mon 30/11 (24/11 is off).
    assert second.summary.due_at == at("2026-11-30T17:00")


def test_todays_list(counter: CounterContext) -> None:
    receive(
        counter,
        IntakeRequest("1.001193", DUC, received_at=at("2026-11-23T08:00"), allow_duplicate=True),
    )
    receive(
        counter,
        IntakeRequest("2.000815", DUC, received_at=at("2026-11-23T09:00"), allow_duplicate=True),
    )
    receive(
        counter,
        IntakeRequest("2.000815", DUC, received_at=at("2026-11-22T09:00"), allow_duplicate=True),
    )
    listed = received_on(counter, date(2026, 11, 23))
    assert [d.procedure_code for d in listed] == ["2.000815", "1.001193"]


def test_same_day_procedure_cutoff(counter: CounterContext) -> None:
    # Khai sinh, same day with a 15:00 cut-off: 15:00 counts as that day, 15:30 does not.
    on_time = receive(
        counter,
        IntakeRequest("1.001193", DUC, received_at=at("2026-11-23T15:00"), allow_duplicate=True),
    )
    late = receive(
        counter,
        IntakeRequest("1.001193", DUC, received_at=at("2026-11-23T15:30"), allow_duplicate=True),
    )
    assert on_time.summary.due_at == at("2026-11-23T17:00")
    # Tue 24/11/2026 is a day off, so the next working day is Wed 25/11.
    assert late.summary.due_at == at("2026-11-25T17:00")


def test_receipt_time_more_than_90_days_back_refused(counter: CounterContext) -> None:
    # A date a century back would also reuse an existing YYMMDD code.
    with pytest.raises(ValidationError) as caught:
        receive(counter, IntakeRequest("1.001193", DUC, received_at=at("1926-11-23T08:00")))
    assert "90 ngày" in caught.value.fields["received_at"]


def test_locked_database_is_a_clear_message_and_the_form_can_retry(
    counter: CounterContext,
) -> None:
    import sqlite3

    from counter_app.store import db as store_db

    blocker = sqlite3.connect(counter.paths.db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    counter.db.execute_sql("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(StorageError) as caught:
            receive(counter, IntakeRequest("1.001193", DUC))
        assert "đang bận" in caught.value.message
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        counter.db.execute_sql(f"PRAGMA busy_timeout = {store_db.BUSY_TIMEOUT_MS}")
    assert receive(counter, IntakeRequest("1.001193", DUC)).code.endswith("-1001")
