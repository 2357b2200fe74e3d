"""The figures of a period: every number of a small October 2026, counted by hand.

The suite's clock starts at 25/11/2026 09:00 (tests/conftest.py), so October is a past
period and "now" lies after its end. Dossiers go through the real services with moments
in the past, as a clerk entering paper records would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.deadlines import Timeliness, timeliness
from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.errors import ValidationError
from counter_app.services import reports, tracking
from counter_app.services.context import CounterContext
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.reports import (
    FigureRow,
    Report,
    build_report,
    month_range,
    period_label,
    quarter_range,
    year_range,
)
from counter_app.services.returns import ReturnRequest, return_result
from counter_app.store.models import Complaint, Dossier, DossierReturn
from tests.support.counters import act_as

COPY = "2.000815"  # Chứng thực bản sao: same day, cut-off 15:00 (field Chứng thực)
MARRIAGE = "1.004873"  # Xác nhận tình trạng hôn nhân: 3 working days (field Hộ tịch)
EXTRACT = "2.000635"  # Bản sao trích lục hộ tịch: same day (field Hộ tịch)
MAI = "Trần Thị Mai"
HUNG = "Lê Văn Hùng"
BODY = "Công chức Tư pháp - Hộ tịch"
OCTOBER = month_range(2026, 10)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ)

APPLICANT = ApplicantInput(
    name="Nguyễn Văn Đức",
    id_number="001090012345",
    dob=date(1990, 5, 1),
    sex=Sex.MALE,
    address="Thôn Đông Hòa, xã An Hòa",
    phone="0912345678",
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def as_clerk(ctx: CounterContext, name: str) -> None:
    act_as(ctx, name)


def take(ctx: CounterContext, procedure: str, when: str) -> str:
    request = IntakeRequest(procedure, APPLICANT, received_at=at(when), allow_duplicate=True)
    return receive(ctx, request).code


def resolve_and_return(
    ctx: CounterContext, code: str, resolved: str, returned: str, rating: int | None
) -> None:
    tracking.change_status(ctx, code, 9, at=at(resolved))
    return_result(ctx, code, ReturnRequest("Nguyễn Văn Đức", rating=rating, at=at(returned)))


@dataclass(frozen=True)
class October:
    codes: dict[int, str]


def build_october(ctx: CounterContext) -> October:
    """Thirteen dossiers and five complaints around October 2026 (numbers as in the test).

    #1–#3 and #11 are Mai's returns at the boundaries of "on time" and "early"; #4 and #5
    are Hùng's late returns; #6–#9 are still open; #10 was refused; #12 was returned in
    November; #11 was received in September and #13 in November.
    """
    c: dict[int, str] = {}
    as_clerk(ctx, MAI)
    c[11] = take(ctx, COPY, "2026-09-30T08:00:00")  # due 30/09 17:00
    resolve_and_return(ctx, c[11], "2026-10-01T07:50:00", "2026-10-01T08:00:00", 2)  # late
    c[1] = take(ctx, COPY, "2026-10-05T08:00:00")  # due Mon 05/10 17:00
    resolve_and_return(ctx, c[1], "2026-10-05T16:00:00", "2026-10-05T17:00:00", 1)  # at due
    c[2] = take(ctx, COPY, "2026-10-05T08:30:00")  # due 05/10 17:00
    resolve_and_return(ctx, c[2], "2026-10-05T09:30:00", "2026-10-05T10:00:00", 2)  # same day
    c[3] = take(ctx, MARRIAGE, "2026-10-06T09:00:00")  # due Fri 09/10 17:00
    resolve_and_return(ctx, c[3], "2026-10-08T15:00:00", "2026-10-08T16:00:00", 1)  # day before
    c[8] = take(ctx, COPY, "2026-10-12T08:00:00")
    tracking.change_status(ctx, c[8], 9, at=at("2026-10-12T10:00:00"))  # resolved, not taken
    c[10] = take(ctx, COPY, "2026-10-14T08:00:00")
    tracking.refuse(ctx, c[10], "Không thuộc thẩm quyền", at=at("2026-10-14T08:10:00"))
    c[7] = take(ctx, MARRIAGE, "2026-10-29T09:00:00")  # due Tue 03/11 17:00: after October
    c[12] = take(ctx, COPY, "2026-10-30T08:00:00")
    resolve_and_return(ctx, c[12], "2026-11-02T08:00:00", "2026-11-02T09:00:00", 1)
    c[13] = take(ctx, COPY, "2026-11-02T08:00:00")

    as_clerk(ctx, HUNG)
    c[4] = take(ctx, MARRIAGE, "2026-10-06T09:00:00")  # due Fri 09/10 17:00
    resolve_and_return(ctx, c[4], "2026-10-09T16:00:00", "2026-10-09T17:00:01", 3)  # 1 s late
    c[5] = take(ctx, EXTRACT, "2026-10-07T08:00:00")  # due 07/10 17:00
    resolve_and_return(ctx, c[5], "2026-10-08T07:30:00", "2026-10-08T08:00:00", None)  # late
    c[6] = take(ctx, MARRIAGE, "2026-10-20T09:00:00")  # due Fri 23/10 17:00
    tracking.hand_over(ctx, c[6], BODY, at=at("2026-10-20T10:00:00"))  # processing, overdue
    c[9] = take(ctx, MARRIAGE, "2026-10-13T09:00:00")
    tracking.request_supplement(ctx, c[9], "Thiếu tờ khai", (), at=at("2026-10-13T09:30:00"))

    dossier_4 = Dossier.get(Dossier.code == c[4])
    complaint(
        1,
        "2026-10-10T09:00:00",
        "2026-10-20T17:00:00",
        dossier=dossier_4.id,
        answered="2026-10-12T10:00:00",
    )
    complaint(2, "2026-10-15T09:00:00", "2026-10-25T17:00:00", procedure=COPY)  # open, overdue
    complaint(3, "2026-10-28T09:00:00", "2026-11-05T17:00:00")  # open, due after October
    complaint(
        4,
        "2026-10-20T09:00:00",
        "2026-10-22T17:00:00",
        procedure=MARRIAGE,
        answered="2026-10-23T08:00:00",
    )
    complaint(5, "2026-11-05T09:00:00", "2026-11-15T17:00:00")  # November
    as_clerk(ctx, MAI)
    return October(c)


def complaint(
    number: int,
    received: str,
    due: str,
    *,
    dossier: int | None = None,
    procedure: str = "",
    answered: str | None = None,
) -> None:
    Complaint.create(
        code=f"PAKN-{number:04d}",
        received_at=at(received),
        sender_name="Phạm Thị Lan",
        sender_key="pham thi lan",
        dossier=dossier,
        procedure_code=procedure,
        channel="counter",
        content="Phản ánh về thời gian giải quyết",
        content_key="phan anh ve thoi gian giai quyet",
        status="answered" if answered else "received",
        due_at=at(due),
        answer="Đã trả lời" if answered else "",
        answered_at=at(answered) if answered else None,
        actor=MAI,
    )


@pytest.fixture
def october(counter: CounterContext) -> Report:
    build_october(counter)
    return build_report(counter, *OCTOBER, now=NOW)


def counts(row: FigureRow) -> dict[str, int]:
    return {name: getattr(row, name) for name in reports.MEASURES}


def by_key(rows: tuple[FigureRow, ...]) -> dict[str, FigureRow]:
    return {row.key: row for row in rows}


def test_total_figures_of_october(october: Report) -> None:
    t = october.total
    assert (t.received, t.resolved, t.returned) == (11, 7, 6)
    # #3 the day before its due day is early; #1 at 17:00:00 sharp and #2 earlier that
    # same day are on time (not early); #4 one second after, #5 and #11 the next day: late.
    assert (t.early, t.on_time, t.late) == (1, 2, 3)
    assert t.early_rate == pytest.approx(1 / 6)
    assert t.on_time_rate == pytest.approx(2 / 6)
    assert t.late_rate == pytest.approx(3 / 6)
    assert t.timely_rate == pytest.approx(0.5)
    # Open: #6 (processing), #7 (at the counter), #8 (resolved, waiting), #9 (paused).
    # Only #6 is overdue: #7 falls due after October, #8 and #9 have no running clock.
    assert (t.pending, t.overdue) == (4, 1)


def test_satisfaction_counts_rated_returns_of_the_period(october: Report) -> None:
    t = october.total
    # Returns in October: #1 (1), #2 (2), #3 (1), #4 (3), #5 (none), #11 (2).
    assert (t.very_satisfied, t.satisfied, t.dissatisfied, t.unrated) == (2, 2, 1, 1)
    assert t.rated == 5
    assert t.very_satisfied_pct == pytest.approx(0.4)
    assert t.satisfied_pct == pytest.approx(0.4)
    assert t.dissatisfied_pct == pytest.approx(0.2)


def test_complaints_received_in_the_period(october: Report) -> None:
    c = october.complaints
    assert (c.received, c.answered, c.answered_late, c.open, c.overdue) == (4, 2, 1, 2, 1)
    assert c.answered_on_time == 1
    assert october.total.complaints == 4


def test_rows_per_procedure(october: Report) -> None:
    rows = by_key(october.by_procedure)
    assert [r.key for r in october.by_procedure] == [MARRIAGE, EXTRACT, COPY, ""]
    assert rows[COPY].label.startswith("Chứng thực bản sao từ bản chính")
    assert rows[""].label == reports.UNATTRIBUTED_PROCEDURE
    assert counts(rows[COPY]) == dict(
        received=5,
        resolved=4,
        returned=3,
        early=0,
        on_time=2,
        late=1,
        pending=1,
        overdue=0,
        very_satisfied=1,
        satisfied=2,
        dissatisfied=0,
        unrated=0,
        complaints=1,
    )
    assert counts(rows[MARRIAGE]) == dict(
        received=5,
        resolved=2,
        returned=2,
        early=1,
        on_time=0,
        late=1,
        pending=3,
        overdue=1,
        very_satisfied=1,
        satisfied=0,
        dissatisfied=1,
        unrated=0,
        complaints=2,
    )
    assert counts(rows[EXTRACT]) == dict(
        received=1,
        resolved=1,
        returned=1,
        early=0,
        on_time=0,
        late=1,
        pending=0,
        overdue=0,
        very_satisfied=0,
        satisfied=0,
        dissatisfied=0,
        unrated=1,
        complaints=0,
    )
    assert rows[""].complaints == 1 and rows[""].received == 0


def test_rows_per_field_and_clerk(october: Report) -> None:
    fields = by_key(october.by_field)
    assert [r.label for r in october.by_field] == [
        "Chứng thực",
        "Hộ tịch",
        reports.UNKNOWN_FIELD,
    ]
    assert (fields["Hộ tịch"].received, fields["Hộ tịch"].returned) == (6, 3)
    assert (fields["Hộ tịch"].early, fields["Hộ tịch"].late, fields["Hộ tịch"].overdue) == (
        1,
        2,
        1,
    )
    clerks = by_key(october.by_clerk)
    assert [r.key for r in october.by_clerk] == [HUNG, MAI, ""]
    mai, hung = clerks[MAI], clerks[HUNG]
    assert (mai.received, mai.returned, mai.early, mai.on_time, mai.late) == (7, 4, 1, 2, 1)
    assert (mai.pending, mai.overdue) == (2, 0)
    assert (hung.received, hung.returned, hung.late, hung.pending, hung.overdue) == (4, 2, 2, 2, 1)
    # The complaint about #4 is Hùng's; the other three name no dossier.
    assert (hung.complaints, clerks[""].complaints) == (1, 3)


def test_total_is_the_sum_of_every_grouping(october: Report) -> None:
    for rows in (october.by_procedure, october.by_field, october.by_clerk):
        for name in reports.MEASURES:
            assert sum(getattr(r, name) for r in rows) == getattr(october.total, name), name


def test_pending_and_overdue_are_measured_at_now(counter: CounterContext) -> None:
    build_october(counter)
    # Asked on 30/10 at noon, #6 (due 23/10) is overdue already; #7 was not received yet.
    early_look = build_report(counter, *OCTOBER, now=at("2026-10-30T12:00:00"))
    assert early_look.total.overdue == 1
    # A period still running: overdue counts up to now, not to its end.
    november = build_report(counter, *month_range(2026, 11), now=NOW)
    # #13 (same day, due 02/11) was never resolved; #7 fell due 03/11; #6 is still open.
    assert november.total.received == 1
    assert (november.total.pending, november.total.overdue) == (5, 3)
    assert (november.total.returned, november.total.late) == (1, 1)  # #12, due 30/10


def test_sql_classes_agree_with_the_domain_rule(counter: CounterContext) -> None:
    """Moments around the due day: SQL's early / on time / late is timeliness()'s."""
    build_october(counter)
    rows = list(Dossier.select().where(Dossier.status == 10))
    due = at("2026-10-16T17:00:00")
    # At the due moment, a second either side, the due day's first second and the last
    # second of the day before, the next midnight, two days before.
    offsets = [0, -1, 1, -17 * 3600, -17 * 3600 - 1, 7 * 3600, -2 * 86400]
    assert len(rows) == len(offsets)
    expected = dict.fromkeys(Timeliness, 0)
    for row, seconds in zip(rows, offsets, strict=True):
        moment = due + timedelta(seconds=seconds)
        expected[timeliness(moment, due)] += 1
        Dossier.update(returned_at=moment, due_at=due).where(Dossier.id == row.id).execute()
    assert expected == {Timeliness.EARLY: 2, Timeliness.ON_TIME: 3, Timeliness.LATE: 2}
    report = build_report(counter, date(2026, 10, 1), date(2026, 10, 31), now=NOW)
    assert (report.total.early, report.total.on_time, report.total.late) == (
        expected[Timeliness.EARLY],
        expected[Timeliness.ON_TIME],
        expected[Timeliness.LATE],
    )


def test_empty_period_has_zeros_and_no_rates(counter: CounterContext) -> None:
    report = build_report(counter, *month_range(2026, 1), now=NOW)
    assert report.total.received == 0 and report.total.returned == 0
    assert report.total.timely_rate is None and report.total.very_satisfied_pct is None
    assert report.by_procedure == () and report.complaints.received == 0
    assert report.to_json()["total"]["timely_rate"] is None


def test_to_json_carries_counts_rates_and_definitions(october: Report) -> None:
    data = october.to_json()
    assert data["period"] == {
        "from": "2026-10-01",
        "to": "2026-10-31",
        "label": "Tháng 10 năm 2026",
    }
    assert data["generated_at"] == "2026-11-25T09:00:00+07:00"
    assert data["total"]["on_time"] == 2 and data["total"]["timely_rate"] == 0.5
    assert data["total"]["satisfaction"]["very_satisfied_pct"] == 0.4
    assert data["complaints"]["overdue"] == 1
    assert [r["key"] for r in data["by_clerk"]] == [HUNG, MAI, ""]
    assert data["definitions"] == list(reports.DEFINITIONS)


def test_period_helpers() -> None:
    assert month_range(2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month_range(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_range(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
    assert quarter_range(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_range(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert year_range(2026) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_label(*month_range(2026, 3)) == "Tháng 03 năm 2026"
    assert period_label(*quarter_range(2026, 4)) == "Quý IV năm 2026"
    assert period_label(*year_range(2026)) == "Năm 2026"
    assert (
        period_label(date(2026, 10, 3), date(2026, 10, 9))
        == "Từ ngày 03/10/2026 đến ngày 09/10/2026"
    )
    with pytest.raises(ValidationError) as err:
        month_range(2026, 13)
    assert "month" in err.value.fields
    with pytest.raises(ValidationError) as err:
        quarter_range(2026, 0)
    assert "quarter" in err.value.fields


def test_refuses_reversed_and_overlong_periods(counter: CounterContext) -> None:
    with pytest.raises(ValidationError) as err:
        build_report(counter, date(2026, 10, 31), date(2026, 10, 1))
    assert set(err.value.fields) == {"date_from"}
    assert "trước hoặc bằng ngày kết thúc" in err.value.message
    with pytest.raises(ValidationError) as err:
        build_report(counter, date(2016, 1, 1), date(2026, 1, 1))
    assert set(err.value.fields) == {"date_from"} and "10 năm" in err.value.message
    # Exactly ten years is allowed; so is a single day.
    build_report(counter, date(2016, 1, 1), date(2025, 12, 31))
    build_report(counter, date(2026, 10, 5), date(2026, 10, 5))


def test_a_single_day_counts_its_own_moments_only(counter: CounterContext) -> None:
    build_october(counter)
    day = build_report(counter, date(2026, 10, 5), date(2026, 10, 5), now=NOW)
    assert (day.total.received, day.total.returned, day.total.on_time) == (2, 2, 2)
    assert DossierReturn.select().count() == 7


def test_generated_quarter_matches_a_row_by_row_count(counter: CounterContext) -> None:
    """The bench's generated quarter, counted again one dossier at a time in Python."""
    from bench import bench_report

    bench_report.fill(counter, dossiers=600, history=400)
    first, last = bench_report.QUARTER
    now = bench_report.NOW
    report = build_report(counter, first, last, now=now)
    start = datetime.combine(first, datetime.min.time(), tzinfo=VN_TZ)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=VN_TZ)
    cutoff = min(now, end)
    ratings = {r.dossier_id: r for r in DossierReturn.select()}
    expected: dict[str, dict[str, int]] = {}

    def add(clerk: str, name: str) -> None:
        row = expected.setdefault(clerk, dict.fromkeys(reports.MEASURES, 0))
        row[name] += 1

    for d in Dossier.select():
        if start <= d.received_at < end:
            add(d.clerk_name, "received")
        if d.resolved_at is not None and start <= d.resolved_at < end:
            add(d.clerk_name, "resolved")
        if d.returned_at is not None and start <= d.returned_at < end:
            add(d.clerk_name, "returned")
            add(d.clerk_name, timeliness(d.returned_at, d.due_at).value)
        if d.status not in (3, 7, 10) and d.received_at < end:
            add(d.clerk_name, "pending")
            if d.status in (2, 4) and d.due_at < cutoff:
                add(d.clerk_name, "overdue")
        given = ratings.get(d.id)
        if given is not None and start <= given.at < end:
            level = {1: "very_satisfied", 2: "satisfied", 3: "dissatisfied", None: "unrated"}
            add(d.clerk_name, level[given.rating])
    for c in Complaint.select():
        if start <= c.received_at < end:
            add(c.dossier.clerk_name if c.dossier_id else "", "complaints")

    got = {row.key: counts(row) for row in report.by_clerk}
    assert got == expected
    assert report.total.received == 600
    assert report.total.returned > 300 and report.total.late > 0 and report.total.early > 0
