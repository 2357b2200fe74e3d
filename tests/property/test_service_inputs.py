"""Every service entry point fed bad input: arbitrary Unicode, NFD, combining marks, control
and bidi characters, 10,000-character strings, wrong dates, wrong CCCD, empty values.

The only outcomes allowed are a correct save or a ``KnownError`` the clerk can read (a
``ValidationError`` names its field; every message is Vietnamese). Never another exception.
After a save every text it wrote is NFC, holds no refused character (``find_refused_char``),
no line break where a line is expected, and keeps its length limit; after a refusal nothing
was written (every row of every table compared before and after, bar the audit rows of a
refused sign-in or permission, which are the point).

Requests are spoiled in none, one, two or all of their fields (``some_spoiled``): a
request spoiled in one field shows that field's check alone refuses it, and clean
requests must be saved. Each test builds its counter once and reuses it for all examples.
Totals (tried / saved / refused per entry point) go to stdout with ``-s``.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.clock import now_vn
from counter_app.domain.identity import ApplicantInput, ApplicantKind, Sex, century_sex_digit
from counter_app.domain.text import clean_line, find_refused_char, fold
from counter_app.errors import KnownError, ValidationError
from counter_app.services import (
    accounts,
    board,
    calendars,
    catalogue,
    complaints,
    dossiers,
    forms,
    intake,
    reports,
    returns,
    search,
    settings,
    tracking,
)
from counter_app.services.calendars import reset_cache
from counter_app.services.context import CounterContext
from counter_app.services.dto import DocumentLine
from counter_app.sync import engine, pull, state
from tests.property.strategies import (
    ADDRESSES,
    EMAILS,
    EMPTY_VALUES,
    FULL_NAMES,
    OPEN_BUGS,
    PARTIES,
    SENTENCES,
    any_cccd,
    any_day,
    any_dob,
    any_int,
    any_moment,
    any_tax_code,
    bug_open,
    deep_json,
    examples,
    good_moment,
    good_phone,
    hostile_text,
    is_vietnamese,
    json_values,
    mismatched_cccd,
    paging_int,
    refused_text,
    some_spoiled,
    spelled,
    valid_cccd,
    valid_tax_code,
    vietnamese_name,
    wrong_cccd,
)
from tests.support.counters import CLERK, PASSWORD, SUPERVISOR, ready_counter

TOTALS: Counter[str] = Counter()

PROCEDURES = ("1.004873", "2.000815", "1.001193", "1.012812", "1.001699")


def procedure_codes() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([*PROCEDURES, " 1.004873 ", "1.004873".lower()]),
        st.sampled_from(["1.004873\n", "1.004873\x00", "١.٠٠٤٨٧٣", "1.00487", "", "1.004873.H38"]),
        hostile_text(30),
    )


# --------------------------------------------------------------------------- the store

# Texts a user typed (or a file brought), with the longest each may be once stored.
LIMITS: dict[tuple[str, str], int] = {
    ("dossier", "applicant_name"): 150,
    ("dossier", "address"): 250,
    ("dossier", "email"): 254,
    ("dossier", "phone"): 11,
    ("dossier", "id_number"): 12,
    ("dossier", "tax_code"): 14,
    ("dossier", "note"): 500,
    ("dossier", "holder"): 200,
    ("dossier", "clerk_name"): 100,
    ("dossier", "submission_id"): 64,
    ("dossier_document", "name"): 500,
    # The reason (MAX_REASON, 1000) with the action's own words around it.
    ("status_history", "note"): 1100,
    ("status_history", "actor"): 300,
    ("handover", "from_party"): 200,
    ("handover", "to_party"): 200,
    ("handover", "giver"): 200,
    ("handover", "taker"): 200,
    ("handover", "note"): 1000,
    ("due_change", "reason"): 1000,
    ("notice", "reason"): 1000,
    ("notice", "officer_phone"): 20,
    ("dossier_return", "receiver_name"): 200,
    ("dossier_return", "receiver_id_number"): 12,
    ("dossier_return", "comment"): 1000,
    ("complaint", "sender_name"): 200,
    ("complaint", "sender_contact"): 300,
    ("complaint", "content"): 4000,
    ("complaint", "answer"): 4000,
    ("complaint", "assignee"): 200,
    ("operator", "full_name"): 100,
    ("operator", "username"): 32,
    # The catalogue sets none yet; these are far above any real procedure (OPEN_BUGS).
    ("procedure", "name"): 1000,
    ("procedure", "field"): 300,
    ("procedure", "result"): 1000,
    ("procedure", "legal_basis"): 10_000,
    ("procedure", "level"): 100,
    ("procedure", "source"): 1000,
}
SETTING_LIMITS = {"agency_name": 120, "place_name": 80, "sync.hub_url": 2000, "sync.token": 500}
JSON_COLUMNS = {
    ("procedure", "documents"),
    ("procedure", "fees"),
    ("calendar_year", "days_off"),
    ("calendar_year", "working_days"),
    ("outbox", "payload"),
    ("audit_log", "detail"),
    ("notice", "documents"),
}
MULTILINE = {("complaint", "content"), ("complaint", "answer"), ("sync_issue", "message")}
# A file path must stay byte for byte what the file system has.
PATHS = {("printout", "path")}
PATH_SETTINGS = ("folder", "file", "path")
# A refusal that is itself recorded: the refused sign-in or action (accounts.py).
AUDITED_REFUSALS = {"denied", "login.failed", "account.locked", "account.password.refused"}


def _skipped(table: str, column: str, values: dict[str, Any]) -> bool:
    """Checks an open bug (strategies.OPEN_BUGS) would fail; its regression test covers it."""
    if table == "procedure" and bug_open("catalogue-text"):
        return True
    if (table, column) in {("dossier_document", "name"), ("dossier", "submission_id")}:
        return bug_open("intake-free-text")
    if table in ("hub_change", "sync_issue") or values.get("origin") == "hub":
        return bug_open("hub-text")
    key = str(values.get("key", ""))
    return table == "setting" and key.startswith("sync.") and bug_open("sync-config")


Snapshot = dict[str, dict[int, tuple[Any, ...]]]


def tables(ctx: CounterContext) -> list[str]:
    rows = ctx.db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE '%_fts%'"
    ).fetchall()
    return [str(r[0]) for r in rows]


def columns(ctx: CounterContext, table: str) -> list[str]:
    return [str(r[1]) for r in ctx.db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()]


def snapshot(ctx: CounterContext) -> Snapshot:
    return {
        table: {row[0]: tuple(row) for row in ctx.db.execute_sql(f'SELECT rowid, * FROM "{table}"')}
        for table in tables(ctx)
    }


def changed(before: Snapshot, after: Snapshot) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in before.keys() | after.keys():
        old, new = before.get(table, {}), after.get(table, {})
        rows = [row for rowid, row in new.items() if old.get(rowid) != row]
        rows += [row for rowid, row in old.items() if rowid not in new]
        if rows:
            out[table] = rows
    return out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def text_problems(where: str, value: str, *, limit: int | None, multiline: bool) -> list[str]:
    problems = []
    if not unicodedata.is_normalized("NFC", value):
        problems.append(f"{where}: not NFC: {value[:80]!a}")
    bad = find_refused_char(value)
    if bad is not None:
        problems.append(f"{where}: refused character U+{ord(bad):04X}: {value[:80]!a}")
    if not multiline and any(ch in value for ch in "\t\r\n"):
        problems.append(f"{where}: line break or tab in a one-line text: {value[:80]!a}")
    if limit is not None and len(value) > limit:
        problems.append(f"{where}: {len(value)} characters, limit {limit}")
    return problems


def store_problems(ctx: CounterContext, rows: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """What is wrong with the text of these rows (new or changed by a save)."""
    problems: list[str] = []
    for table, table_rows in rows.items():
        names = ["rowid", *columns(ctx, table)]
        for row in table_rows:
            values = dict(zip(names, row, strict=True))
            key = str(values.get("key", "")) if table == "setting" else ""
            for column, value in values.items():
                where = f"{table}.{column}"
                if not isinstance(value, str) or (table, column) in PATHS:
                    continue
                if _skipped(table, column, values):
                    continue
                if (table, column) in JSON_COLUMNS:
                    for text in _strings(json.loads(value)):
                        problems += text_problems(where, text, limit=None, multiline=True)
                    continue
                limit = LIMITS.get((table, column))
                if table == "setting" and column == "value":
                    if any(part in key for part in PATH_SETTINGS):
                        continue
                    limit = SETTING_LIMITS.get(key)
                multiline = (table, column) in MULTILINE
                problems += text_problems(where, value, limit=limit, multiline=multiline)
    return problems


# --------------------------------------------------------------------------- outcomes


def check_known_error(err: KnownError) -> None:
    assert isinstance(err.message, str) and err.message.strip(), repr(err)
    assert is_vietnamese(err.message), f"not Vietnamese: {err.message!r}"
    if isinstance(err, ValidationError):
        assert err.fields, "a ValidationError names no field"
        for field, message in err.fields.items():
            assert isinstance(field, str) and field.strip(), err.fields
            assert is_vietnamese(message), f"{field}: not Vietnamese: {message!r}"


@dataclass
class Outcome:
    saved: bool
    value: Any = None
    error: KnownError | None = None


def attempt(
    ctx: CounterContext, entry: str, call: Callable[[], Any], *, writes: bool = True
) -> Outcome:
    """Call one entry point: only a save or a KnownError may come out, and the store must
    then be clean (a save) or untouched (a refusal). ``writes=False``: a reader, whose
    store is not compared (it has no transaction to leave half done)."""
    before = snapshot(ctx) if writes else {}
    TOTALS[f"{entry}: tried"] += 1
    try:
        value = call()
    except KnownError as err:
        check_known_error(err)
        if writes:
            diff = changed(before, snapshot(ctx))
            assert set(diff) <= {"audit_log", "operator"}, f"{entry} refused, wrote {diff}"
            for row in diff.get("audit_log", []):
                assert row[4] in AUDITED_REFUSALS, f"{entry} refused ({err}), audited {row}"
        TOTALS[f"{entry}: refused"] += 1
        return Outcome(saved=False, error=err)
    if writes:
        problems = store_problems(ctx, changed(before, snapshot(ctx)))
        assert not problems, f"{entry} saved bad text:\n" + "\n".join(problems)
    TOTALS[f"{entry}: saved"] += 1
    return Outcome(saved=True, value=value)


def must_not_crash(call: Callable[[], Any]) -> None:
    """For the regression tests of OPEN_BUGS: a result or a readable KnownError."""
    try:
        call()
    except KnownError as err:
        check_known_error(err)


@pytest.fixture(scope="module", autouse=True)
def _report_totals() -> Iterator[None]:
    yield
    entries = sorted({key.rsplit(": ", 1)[0] for key in TOTALS})
    print("\nservice inputs: tried / saved / refused")
    for entry in entries:
        counts = (TOTALS[f"{entry}: {what}"] for what in ("tried", "saved", "refused"))
        print(f"  {entry:<34}" + "".join(f"{n:>7}" for n in counts))
    tried = sum(n for key, n in TOTALS.items() if key.endswith(": tried"))
    print(f"  {'all entry points':<34}{tried:>7}")


# --------------------------------------------------------------------------- the counter


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CounterContext]:
    """A counter set up with its supervisor signed in, for every example of one test."""
    reset_cache()
    counter = ready_counter(tmp_path / "home")
    assert counter.operator is not None and counter.operator.username == SUPERVISOR
    yield counter
    counter.close()
    reset_cache()


_serial = itertools.count(1)


def good_applicant(name: str = "Nguyễn Văn Đức") -> ApplicantInput:
    dob = date(1990, 5, 1)
    number = f"001{century_sex_digit(dob, Sex.MALE)}90{next(_serial) % 1_000_000:06d}"
    return ApplicantInput(name=name, id_number=number, dob=dob, sex=Sex.MALE)


def keep_numbers_free(ctx: CounterContext) -> None:
    """A station hands out at most 999 codes a day; a long run makes more dossiers than
    that in one (test) day, so it moves on to the next station number in time."""
    current = settings.load_settings(ctx)
    assert current is not None
    day = now_vn().strftime("%Y-%m-%d")
    name = f"code:{current.agency_code}:{day}:{current.station}"
    row = ctx.db.execute_sql("SELECT last FROM sequence WHERE name = ?", (name,)).fetchone()
    if row is not None and row[0] >= 900 and current.station < 9:
        settings.save_settings(
            ctx,
            agency_code=current.agency_code,
            agency_name=current.agency_name,
            place_name=current.place_name,
            station=current.station + 1,
        )


def new_dossier(ctx: CounterContext, procedure: str = "1.004873") -> str:
    keep_numbers_free(ctx)
    request = intake.IntakeRequest(procedure, good_applicant(), allow_duplicate=True)
    return intake.receive(ctx, request).code


def resolved_dossier(ctx: CounterContext) -> str:
    code = new_dossier(ctx)
    tracking.hand_over(ctx, code, PARTIES[0])
    tracking.hand_over(ctx, code, "quầy", result_ready=True)
    return code


def codes() -> st.SearchStrategy[Callable[[CounterContext], str]]:
    """A dossier code: one of the counter's (as typed: spaces, lower case), or anything.
    Drawn as a recipe applied to the counter's codes at the time (a strategy must not
    depend on what earlier examples saved)."""

    def real(index: int, style: int) -> Callable[[CounterContext], str]:
        def pick(ctx: CounterContext) -> str:
            rows = ctx.db.execute_sql("SELECT code FROM dossier ORDER BY id LIMIT 50").fetchall()
            if not rows:
                return ""
            code = str(rows[index % len(rows)][0])
            return (code, code.lower(), f"  {code}\t", code.replace("-", " - "))[style]

        return pick

    def typed(text: str) -> Callable[[CounterContext], str]:
        return lambda _ctx: text

    return st.one_of(
        st.builds(real, st.integers(0, 49), st.integers(0, 3)), hostile_text(30).map(typed)
    )


def any_code(ctx: CounterContext, data: st.DataObject) -> str:
    return data.draw(codes(), label="code")(ctx)


def dossier_for(
    ctx: CounterContext, data: st.DataObject, make: Callable[[CounterContext], str]
) -> str:
    """Usually a dossier made for this example, sometimes any code typed."""
    return make(ctx) if data.draw(st.integers(0, 3), label="fresh") else any_code(ctx, data)


def text_or(good: st.SearchStrategy[str]) -> dict[str, st.SearchStrategy[str]]:
    return {"good": good, "bad": hostile_text()}


# --------------------------------------------------------------------------- intake


def documents() -> st.SearchStrategy[tuple[DocumentLine, ...] | None]:
    line = st.builds(
        DocumentLine,
        name=st.one_of(spelled(("Tờ khai", "Bản sao giấy khai sinh")), hostile_text(40)),
        kind=st.sampled_from(["original", "copy", "bản chính", "", "ORIGINAL", "copy\x00"]),
        count=any_int(),
    )
    return st.one_of(st.none(), st.just(()), st.lists(line, min_size=1, max_size=3).map(tuple))


@st.composite
def applicants(draw: st.DrawFn) -> ApplicantInput:
    kind = draw(st.sampled_from(list(ApplicantKind)))
    number, dob, sex = draw(valid_cccd())
    good = {
        "name": vietnamese_name(),
        "id": st.just((number, dob, sex)),
        "tax_code": valid_tax_code(),
        "address": spelled(ADDRESSES),
        "phone": good_phone(),
        "email": st.sampled_from(EMAILS),
    }
    bad = {
        "name": hostile_text(),
        "id": st.one_of(
            mismatched_cccd(),
            st.tuples(any_cccd(), any_dob(), st.sampled_from([None, *Sex])),
        ),
        "tax_code": any_tax_code(),
        "address": hostile_text(),
        "phone": hostile_text(20),
        "email": hostile_text(30),
    }
    v = draw(some_spoiled(good, bad))
    number, dob, sex = v["id"]
    return ApplicantInput(
        name=v["name"],
        kind=kind,
        id_number=number,
        tax_code=v["tax_code"],
        dob=dob,
        sex=sex,
        address=v["address"],
        phone=v["phone"],
        email=v["email"],
    )


@st.composite
def intake_requests(draw: st.DrawFn) -> intake.IntakeRequest:
    good = {
        "procedure": st.sampled_from(PROCEDURES),
        "documents": st.none(),
        "sets": st.integers(1, 5),
        "delivery": st.sampled_from(["counter", "post"]),
        "received_at": good_moment(),
        "note": spelled(SENTENCES),
        "submission": st.one_of(st.just(""), st.uuids().map(str)),
    }
    bad = {
        "procedure": procedure_codes(),
        "documents": documents(),
        "sets": any_int(),
        "delivery": st.sampled_from(["", "Counter", "bưu điện", "post\x00"]),
        "received_at": any_moment(),
        "note": hostile_text(),
        "submission": hostile_text(80),
    }
    v = draw(some_spoiled(good, bad))
    return intake.IntakeRequest(
        procedure_code=v["procedure"],
        applicant=draw(applicants()),
        documents=v["documents"],
        dossier_sets=v["sets"],
        result_delivery=v["delivery"],
        received_at=v["received_at"],
        note=v["note"],
        submission_id=v["submission"],
        allow_duplicate=draw(st.booleans()),
    )


@examples(200)
@given(request=intake_requests())
def test_receive_any_request(ctx: CounterContext, request: intake.IntakeRequest) -> None:
    keep_numbers_free(ctx)
    outcome = attempt(ctx, "intake.receive", lambda: intake.receive(ctx, request))
    if outcome.saved and not request.submission_id:
        detail = outcome.value
        assert detail.summary.applicant_name == clean_line(request.applicant.name)
        key = ctx.db.execute_sql(
            "SELECT applicant_key FROM dossier WHERE code = ?", (detail.code,)
        ).fetchone()[0]
        assert key == fold(request.applicant.name)


@examples(60)
@given(name=vietnamese_name(), person=valid_cccd(), procedure=st.sampled_from(PROCEDURES))
def test_receive_takes_every_real_name_and_cccd(
    ctx: CounterContext, name: str, person: tuple[str, date, Sex], procedure: str
) -> None:
    number, dob, sex = person
    request = intake.IntakeRequest(
        procedure, ApplicantInput(name=name, id_number=number, dob=dob, sex=sex)
    )
    keep_numbers_free(ctx)
    outcome = attempt(ctx, "intake.receive (valid)", lambda: intake.receive(ctx, request))
    if not outcome.saved:
        # The one refusal a valid applicant may meet: the same name and birthday already
        # have an open dossier of this procedure (a few real names are drawn many times).
        assert isinstance(outcome.error, intake.DuplicateDossierError), outcome.error
        return
    stored = outcome.value.summary.applicant_name
    assert stored == clean_line(name) and unicodedata.is_normalized("NFC", stored)


@examples(60)
@given(
    bad=st.one_of(
        wrong_cccd().map(lambda n: (n, None, None)),
        mismatched_cccd(),
        st.sampled_from(EMPTY_VALUES).map(lambda n: (n, None, None)),
    ),
    name=vietnamese_name(),
)
def test_receive_refuses_every_wrong_cccd(
    ctx: CounterContext, bad: tuple[str, date | None, Sex | None], name: str
) -> None:
    number, dob, sex = bad
    request = intake.IntakeRequest(
        "1.004873", ApplicantInput(name=name, id_number=number, dob=dob, sex=sex)
    )
    outcome = attempt(ctx, "intake.receive (wrong CCCD)", lambda: intake.receive(ctx, request))
    assert isinstance(outcome.error, ValidationError), outcome
    assert list(outcome.error.fields) == ["id_number"], outcome.error.fields


@examples(60)
@given(name=refused_text(), person=valid_cccd())
def test_receive_refuses_control_and_format_characters(
    ctx: CounterContext, name: str, person: tuple[str, date, Sex]
) -> None:
    number, dob, sex = person
    request = intake.IntakeRequest(
        "1.004873", ApplicantInput(name=name, id_number=number, dob=dob, sex=sex)
    )
    outcome = attempt(ctx, "intake.receive (refused chars)", lambda: intake.receive(ctx, request))
    assert isinstance(outcome.error, ValidationError), outcome
    assert list(outcome.error.fields) == ["name"], outcome.error.fields


@examples(60)
@given(procedure=procedure_codes(), moment=any_moment())
def test_preview_due(ctx: CounterContext, procedure: str, moment: datetime | None) -> None:
    outcome = attempt(
        ctx, "intake.preview_due", lambda: intake.preview_due(ctx, procedure, moment), writes=False
    )
    if outcome.saved:
        assert outcome.value.due_at >= outcome.value.counted_from


@examples(60)
@given(procedure=procedure_codes(), applicant=applicants())
def test_find_open_duplicates(
    ctx: CounterContext, procedure: str, applicant: ApplicantInput
) -> None:
    if not ctx.db.execute_sql("SELECT 1 FROM dossier LIMIT 1").fetchone():
        new_dossier(ctx)
    attempt(
        ctx,
        "intake.find_open_duplicates",
        lambda: intake.find_open_duplicates(ctx, procedure, applicant),
        writes=False,
    )


@st.composite
def same_applicant_two_ways(draw: st.DrawFn) -> tuple[ApplicantInput, ApplicantInput]:
    """One citizen or organisation, as entered first and as typed again another way."""
    space = st.sampled_from(["", " ", "\u00a0", "\t", " \u3000"])
    if draw(st.booleans()):
        number, dob, sex = draw(valid_cccd())
        first = ApplicantInput(draw(vietnamese_name()), id_number=number, dob=dob, sex=sex)
        again = f"{draw(space)}{number}{draw(space)}"
        return first, ApplicantInput(draw(vietnamese_name()), id_number=again)
    digits = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    dashed = f"{digits[:10]}-{digits[10:]}"
    ways = [dashed, f" {dashed} "]
    if not bug_open("duplicate-tax-code"):
        ways.append(digits)
    kind = ApplicantKind.ORGANISATION
    name = draw(spelled(("Công ty TNHH Hoà Bình", "Hợp tác xã Nông nghiệp Thuỷ Xuân")))
    first = ApplicantInput(name, kind=kind, tax_code=draw(st.sampled_from(ways)))
    return first, ApplicantInput(name, kind=kind, tax_code=draw(st.sampled_from(ways)))


@examples(40)
@given(pair=same_applicant_two_ways(), procedure=st.sampled_from(PROCEDURES))
def test_the_same_applicant_typed_again_is_a_duplicate(
    ctx: CounterContext, pair: tuple[ApplicantInput, ApplicantInput], procedure: str
) -> None:
    first, again = pair
    keep_numbers_free(ctx)
    saved = intake.receive(ctx, intake.IntakeRequest(procedure, first, allow_duplicate=True))
    found = intake.find_open_duplicates(ctx, procedure, again)
    assert saved.code in {s.code for s in found}, (first, again)
    outcome = attempt(
        ctx,
        "intake.receive (duplicate)",
        lambda: intake.receive(ctx, intake.IntakeRequest(procedure, again)),
    )
    assert isinstance(outcome.error, intake.DuplicateDossierError), outcome


# --------------------------------------------------------------------------- the checks


def test_the_checks_catch_what_they_guard(ctx: CounterContext) -> None:
    """The harness itself: a refusal that wrote, a save of bad text, a message not in
    Vietnamese and a crash are all caught."""

    def writes_then_refuses() -> None:
        ctx.db.execute_sql("INSERT INTO setting (key, value) VALUES ('x', 'y')")
        raise ValidationError.single("x", "Trường x không hợp lệ.")

    with pytest.raises(AssertionError, match="refused"):
        attempt(ctx, "self-test", writes_then_refuses)
    decomposed = unicodedata.normalize("NFD", "UBND xã An Hòa")
    for value, problem in (
        (decomposed, "not NFC"),
        ("An\u202eHòa", "refused"),
        ("x" * 121, "limit"),
    ):

        def saves(value: str = value) -> None:
            ctx.db.execute_sql(
                "REPLACE INTO setting (key, value) VALUES ('agency_name', ?)", (value,)
            )

        with pytest.raises(AssertionError, match=problem):
            attempt(ctx, "self-test", saves)

    def refuses_in_english() -> None:
        raise KnownError("disk full")

    with pytest.raises(AssertionError, match="not Vietnamese"):
        attempt(ctx, "self-test", refuses_in_english)
    with pytest.raises(ZeroDivisionError):
        attempt(ctx, "self-test", lambda: 1 / 0)


# --------------------------------------------------------------------------- tracking


@examples(60)
@given(data=st.data())
def test_change_status(ctx: CounterContext, data: st.DataObject) -> None:
    code = dossier_for(ctx, data, new_dossier)
    v = data.draw(
        some_spoiled(
            {
                "to": st.sampled_from([4, 5, 6, 7, 8, 9]),
                "note": spelled(SENTENCES),
                "at": good_moment(),
            },
            {"to": any_int(), "note": hostile_text(), "at": any_moment()},
        )
    )
    attempt(
        ctx,
        "tracking.change_status",
        lambda: tracking.change_status(ctx, code, v["to"], note=v["note"], at=v["at"]),
    )


@examples(60)
@given(data=st.data())
def test_notices(ctx: CounterContext, data: st.DataObject) -> None:
    code = dossier_for(ctx, data, new_dossier)
    form = data.draw(st.sampled_from(["02", "03", "05"]))
    v = data.draw(
        some_spoiled(
            {
                "reason": spelled(SENTENCES[:-1]),
                "docs": st.just(()),
                "phone": good_phone(),
                "at": good_moment(),
            },
            {
                "reason": hostile_text(),
                "docs": documents().map(lambda d: d or ()),
                "phone": hostile_text(30),
                "at": any_moment(),
            },
        )
    )
    reason, at = v["reason"], v["at"]
    calls: dict[str, Callable[[], Any]] = {
        "02": lambda: tracking.request_supplement(
            ctx, code, reason, v["docs"], officer_phone=v["phone"], at=at
        ),
        "03": lambda: tracking.refuse(ctx, code, reason, at=at),
        "05": lambda: tracking.stop(ctx, code, reason, at=at),
    }
    attempt(ctx, f"tracking.notice.{form}", calls[form])


@examples(40)
@given(data=st.data())
def test_apologise(ctx: CounterContext, data: st.DataObject) -> None:
    code = dossier_for(ctx, data, new_dossier)
    later = st.datetimes(min_value=datetime(2026, 12, 1), max_value=datetime(2027, 6, 1))
    v = data.draw(
        some_spoiled(
            {"reason": spelled(SENTENCES[:-1]), "new_due": later, "at": good_moment()},
            {
                "reason": hostile_text(),
                "new_due": any_moment().filter(lambda m: m is not None),
                "at": any_moment(),
            },
        )
    )
    attempt(
        ctx,
        "tracking.apologise",
        lambda: tracking.apologise(ctx, code, v["reason"], v["new_due"], at=v["at"]),
    )


@examples(60)
@given(data=st.data())
def test_hand_over(ctx: CounterContext, data: st.DataObject) -> None:
    code = dossier_for(ctx, data, new_dossier)
    names = st.one_of(vietnamese_name(), st.just(""))
    v = data.draw(
        some_spoiled(
            {
                "to": st.one_of(spelled(PARTIES), st.sampled_from(["quầy", "QUẦY ", "Quầy"])),
                "giver": names,
                "taker": names,
                "note": spelled(SENTENCES),
                "at": good_moment(),
            },
            {
                "to": hostile_text(),
                "giver": hostile_text(),
                "taker": hostile_text(),
                "note": hostile_text(),
                "at": any_moment(),
            },
        )
    )
    ready = data.draw(st.booleans())
    attempt(
        ctx,
        "tracking.hand_over",
        lambda: tracking.hand_over(
            ctx,
            code,
            v["to"],
            giver=v["giver"],
            taker=v["taker"],
            note=v["note"],
            result_ready=ready,
            at=v["at"],
        ),
    )


@examples(50)
@given(data=st.data())
def test_return_result(ctx: CounterContext, data: st.DataObject) -> None:
    code = dossier_for(ctx, data, resolved_dossier)
    v = data.draw(
        some_spoiled(
            {
                "name": vietnamese_name(),
                "kind": st.just("applicant"),
                "id": st.one_of(st.just(""), valid_cccd().map(lambda t: t[0])),
                "channel": st.sampled_from(["counter", "post"]),
                "rating": st.sampled_from([None, 1, 2, 3]),
                "comment": spelled(SENTENCES),
                "at": st.none(),
            },
            {
                "name": hostile_text(),
                "kind": st.sampled_from(["authorised", "", "ủy quyền"]),
                "id": any_cccd(),
                "channel": st.sampled_from(["", "email", "Counter"]),
                "rating": any_int(),
                "comment": hostile_text(),
                "at": any_moment(),
            },
        )
    )
    request = returns.ReturnRequest(
        receiver_name=v["name"],
        receiver_kind=v["kind"],
        receiver_id_number=v["id"],
        channel=v["channel"],
        rating=v["rating"],
        comment=v["comment"],
        at=v["at"],
    )
    attempt(ctx, "returns.return_result", lambda: returns.return_result(ctx, code, request))


@examples(60)
@given(data=st.data())
def test_amend_and_cancel(ctx: CounterContext, data: st.DataObject) -> None:
    from counter_app.services import corrections

    code = dossier_for(ctx, data, new_dossier)
    number, dob, sex = data.draw(valid_cccd())
    maybe = st.none
    v = data.draw(
        some_spoiled(
            {
                "name": st.one_of(maybe(), vietnamese_name()),
                "id": st.one_of(maybe(), st.just((number, dob, sex))),
                "address": st.one_of(maybe(), spelled(ADDRESSES)),
                "phone": st.one_of(maybe(), good_phone()),
                "email": st.one_of(maybe(), st.sampled_from(EMAILS)),
                "note": st.one_of(maybe(), spelled(SENTENCES)),
                "reason": spelled(SENTENCES[:-1]),
            },
            {
                "name": hostile_text(),
                "id": st.tuples(any_cccd(), any_dob(), st.sampled_from([None, *Sex])),
                "address": hostile_text(),
                "phone": hostile_text(20),
                "email": hostile_text(30),
                "note": hostile_text(),
                "reason": hostile_text(),
            },
        )
    )
    ident = v["id"] or (None, None, None)
    changes = corrections.ApplicantChanges(
        name=v["name"],
        id_number=ident[0],
        dob=ident[1],
        sex=ident[2],
        address=v["address"],
        phone=v["phone"],
        email=v["email"],
        note=v["note"],
    )
    attempt(
        ctx,
        "corrections.amend_dossier",
        lambda: corrections.amend_dossier(ctx, code, changes, v["reason"]),
    )
    cause = data.draw(st.sampled_from([*corrections.CANCEL_CAUSES, "", "nhầm"]))
    reason = data.draw(st.one_of(spelled(SENTENCES[:-1]), hostile_text()))
    attempt(
        ctx,
        "corrections.cancel_dossier",
        lambda: corrections.cancel_dossier(ctx, code, reason, cause=cause),
    )


# --------------------------------------------------------------------------- complaints


@examples(60)
@given(data=st.data())
def test_complaints(ctx: CounterContext, data: st.DataObject) -> None:
    paragraphs = st.one_of(
        spelled(SENTENCES[:-1]), st.just("Dòng 1\n\n\n\nDòng 2\r\nDòng 3\r"), st.just("a\n" * 1500)
    )
    v = data.draw(
        some_spoiled(
            {
                "name": vietnamese_name(),
                "content": paragraphs,
                "channel": st.sampled_from(sorted(complaints.CHANNELS)),
                "contact": st.one_of(good_phone(), spelled(ADDRESSES)),
                "dossier": st.just(False),
                "procedure": st.sampled_from(["", *PROCEDURES]),
                "at": good_moment(),
            },
            {
                "name": hostile_text(),
                "content": hostile_text(),
                "channel": st.sampled_from(["", "zalo", "Counter"]),
                "contact": hostile_text(),
                "dossier": st.just(True),
                "procedure": procedure_codes(),
                "at": any_moment(),
            },
        )
    )
    complaint = complaints.ComplaintInput(
        sender_name=v["name"],
        content=v["content"],
        channel=v["channel"],
        sender_contact=v["contact"],
        dossier_code=any_code(ctx, data) if v["dossier"] else "",
        procedure_code=v["procedure"],
        received_at=v["at"],
    )
    outcome = attempt(
        ctx, "complaints.receive", lambda: complaints.receive_complaint(ctx, complaint)
    )
    code = outcome.value.code if outcome.saved else data.draw(hostile_text(20))
    who = data.draw(st.one_of(spelled(PARTIES), hostile_text()))
    answer = data.draw(st.one_of(paragraphs, hostile_text()))
    attempt(ctx, "complaints.assign", lambda: complaints.assign_complaint(ctx, code, who))
    attempt(ctx, "complaints.answer", lambda: complaints.answer_complaint(ctx, code, answer))
    attempt(ctx, "complaints.close", lambda: complaints.close_complaint(ctx, code))
    text = data.draw(hostile_text())
    status = data.draw(st.one_of(st.none(), st.sampled_from([*complaints.STATES, "x"])))
    limit, offset = data.draw(paging_int()), data.draw(paging_int())
    attempt(
        ctx,
        "complaints.list",
        lambda: complaints.list_complaints(ctx, text, status=status, limit=limit, offset=offset),
        writes=False,
    )


# --------------------------------------------------------------------------- catalogue, calendar

PROCEDURE_KEYS = (
    "code",
    "name",
    "field",
    "time_value",
    "time_unit",
    "cutoff",
    "fees",
    "documents",
    "result",
    "legal_basis",
    "level",
    "source",
    "version",
    "unknown",
)


@st.composite
def catalogue_files(draw: st.DrawFn, exported: list[dict[str, Any]]) -> Any:
    """The exported catalogue with something broken in it, or any JSON at all."""
    choice = draw(st.sampled_from(["field", "document", "fee", "whole", "deep", "wrapped"]))
    data = json.loads(json.dumps(exported))
    # Indices, not sampled_from(data): earlier examples may have added procedures.
    target = data[draw(st.integers(0, 99)) % len(data)]
    if choice == "field":
        target[draw(st.sampled_from(PROCEDURE_KEYS))] = draw(json_values())
    elif choice == "document":
        doc = target["documents"][draw(st.integers(0, 9)) % len(target["documents"])]
        doc[draw(st.sampled_from(["name", "kind", "count"]))] = draw(json_values())
    elif choice == "fee":
        target["fees"] = [{"amount": draw(json_values()), "description": draw(json_values())}]
    elif choice == "whole":
        return draw(json_values(16))
    elif choice == "deep":
        return deep_json()
    else:
        return {"procedures": [target, draw(json_values())]}
    return data


@examples(60)
@given(data=st.data())
def test_import_catalogue(ctx: CounterContext, data: st.DataObject) -> None:
    file = data.draw(catalogue_files(catalogue.export_catalogue(ctx)))
    attempt(ctx, "catalogue.import", lambda: catalogue.import_catalogue(ctx, file))


@st.composite
def calendar_files(draw: st.DrawFn) -> Any:
    days = st.one_of(
        any_day().map(date.isoformat),
        st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)).map(date.isoformat),
        st.sampled_from(
            ["2026-02-30", "2026-13-01", "２０２６-１２-０９", "20261209", "2026-W01-1"]
        ),
        json_values(),
    )
    year = draw(st.one_of(st.sampled_from([2026, 2027, 1999, 2101, True, "2026"]), json_values()))
    data: dict[str, Any] = {"year": year}
    for key in ("days_off", "working_days"):
        if draw(st.booleans()):
            data[key] = draw(st.one_of(st.lists(days, max_size=4), json_values()))
    return draw(st.one_of(st.just(data), st.just(data), json_values(), st.just(deep_json())))


@examples(60)
@given(file=calendar_files())
def test_import_calendar(ctx: CounterContext, file: Any) -> None:
    attempt(ctx, "calendars.import", lambda: calendars.import_calendar(ctx, file))


# --------------------------------------------------------------------------- reading back


@pytest.fixture
def full_counter(ctx: CounterContext) -> CounterContext:
    for name in FULL_NAMES[:12]:
        intake.receive(
            ctx, intake.IntakeRequest("1.004873", good_applicant(name), allow_duplicate=True)
        )
    return ctx


SEARCH_SYNTAX = ['"', '"nguyen', "nguyen*", "NEAR(a b)", "a AND", "-", "^", "^*", ":", "%", "_"]


@examples(120)
@given(data=st.data())
def test_search(full_counter: CounterContext, data: st.DataObject) -> None:
    ctx = full_counter
    text = data.draw(
        st.one_of(
            vietnamese_name(),
            hostile_text(),
            codes().map(lambda pick: pick(ctx)),
            st.sampled_from(SEARCH_SYNTAX),
            st.text(alphabet="0123456789 -.+()", max_size=20),
        )
    )
    limit, offset = data.draw(any_int()), data.draw(paging_int())
    for entry, call in {
        "search.search": lambda: search.search(ctx, text, limit=limit, offset=offset),
        "search.count_matches": lambda: search.count_matches(ctx, text),
        "search.find_by_code": lambda: search.find_by_code(ctx, text),
        "catalogue.search_procedures": lambda: catalogue.search_procedures(ctx, text, limit=limit),
        "catalogue.get_procedure": lambda: catalogue.get_procedure(ctx, text),
        "dossiers.get_dossier": lambda: dossiers.get_dossier(ctx, text),
        "forms.latest_notice_id": lambda: forms.latest_notice_id(ctx, text, "02"),
        "complaints.get": lambda: complaints.get_complaint(ctx, text),
    }.items():
        attempt(ctx, entry, call, writes=False)


@examples(60)
@given(
    date_from=any_day(),
    date_to=any_day(),
    year=any_int(),
    part=any_int(),
    within=st.integers(-5, 400),
    limit=paging_int(),
    offset=paging_int(),
    # The board is asked at "now": the UI passes the clock (extremes: test_open_bug_*).
    now=st.one_of(
        st.none(),
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)),
        st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    ),
)
def test_reports_and_lists(
    full_counter: CounterContext,
    date_from: date,
    date_to: date,
    year: int,
    part: int,
    within: int,
    limit: int,
    offset: int,
    now: datetime | None,
) -> None:
    ctx = full_counter
    calls: dict[str, Callable[[], Any]] = {
        "reports.build_report": lambda: reports.build_report(ctx, date_from, date_to),
        "reports.month_range": lambda: reports.month_range(year, part),
        "reports.quarter_range": lambda: reports.quarter_range(year, part),
        "reports.year_range": lambda: reports.year_range(year),
        "forms.register_data": lambda: forms.register_data(ctx, date_from, date_to),
        "dossiers.received_on": lambda: dossiers.received_on(ctx, date_from, limit=limit),
        "board.board_counts": lambda: board.board_counts(ctx, now=now, within_days=within),
    }
    for category in board.Category:
        calls[f"board.board_rows.{category.value}"] = lambda category=category: board.board_rows(
            ctx, category, now=now, within_days=within, offset=offset, limit=limit
        )
    for entry, call in calls.items():
        attempt(ctx, entry, call, writes=False)


# --------------------------------------------------------------------------- settings, accounts


@examples(60)
@given(
    v=some_spoiled(
        {
            "code": st.sampled_from(["000.00.17.H26", "000.00.17.h26", " 000.00.18.H26\n"]),
            "name": spelled(("UBND xã An Hòa", "UBND phường Thuỷ Xuân")),
            "place": spelled(("An Hòa", "Thuỷ Xuân")),
            "station": st.integers(1, 9),
        },
        {
            "code": st.one_of(st.just("000.00.17.Ｈ26"), hostile_text(30)),
            "name": hostile_text(),
            "place": hostile_text(),
            "station": any_int(),
        },
    )
)
def test_save_settings(ctx: CounterContext, v: dict[str, Any]) -> None:
    attempt(
        ctx,
        "settings.save_settings",
        lambda: settings.save_settings(
            ctx,
            agency_code=v["code"],
            agency_name=v["name"],
            place_name=v["place"],
            station=v["station"],
        ),
    )


_new_users = (f"cb{n}" for n in itertools.count(1))


@examples(60)
@given(data=st.data())
def test_accounts(ctx: CounterContext, data: st.DataObject) -> None:
    me = ctx.operator
    usernames = st.one_of(
        st.sampled_from([CLERK, "quantri", "MAI.TT", "nguyễn", "a", "x" * 33]), hostile_text(40)
    )
    v = data.draw(
        some_spoiled(
            {
                "username": st.builds(lambda _: next(_new_users), st.none()),
                "full_name": vietnamese_name(),
                "role": st.sampled_from(["clerk", "supervisor"]),
                "password": st.sampled_from([PASSWORD, "mật khẩu mới 2026", nfd_password()]),
            },
            {
                "username": usernames,
                "full_name": hostile_text(),
                "role": st.sampled_from(["admin", "", "Admin", "root"]),
                "password": hostile_text(40),
            },
        )
    )
    try:
        attempt(
            ctx,
            "accounts.create_operator",
            lambda: accounts.create_operator(
                ctx, v["username"], v["full_name"], v["role"], v["password"]
            ),
        )
        attempt(
            ctx, "accounts.sign_in", lambda: accounts.sign_in(ctx, v["username"], v["password"])
        )
        ctx.operator = me
        target = data.draw(st.one_of(st.just(v["username"]), usernames))
        password, role = data.draw(st.one_of(st.just(PASSWORD), hostile_text(40))), v["role"]
        active = data.draw(st.booleans())
        for entry, call in {
            "accounts.reset_password": lambda: accounts.reset_password(ctx, target, password),
            "accounts.set_role": lambda: accounts.set_role(ctx, target, role),
            "accounts.set_active": lambda: accounts.set_active(ctx, target, active),
            "accounts.unlock": lambda: accounts.unlock(ctx, target),
        }.items():
            attempt(ctx, entry, call)
            ctx.operator = me
    finally:
        ctx.operator = me


def nfd_password() -> str:
    return unicodedata.normalize("NFD", "mật khẩu mới 2026")


def _configure(ctx: CounterContext, url: str, token: str, ca_file: str | None) -> Any:
    configure = getattr(state, "configure", None)
    if configure is not None:
        return configure(ctx, url, token, ca_file)
    return state.save_config(url, token, ca_file, actor=SUPERVISOR)


BAD_URLS = (
    "http://a:99999",
    "http://a:abc",
    "http://[::1/",
    "http://a..b/",
    "https://" + "a" * 70 + ".vn",
    "ftp://huyen",
    "https://",
    "huyen.example",
)


@examples(60)
@given(
    v=some_spoiled(
        {
            "url": st.sampled_from(
                ["https://huyen.example:8443", "http://127.0.0.1:8470/", "https://huyện.vn/api"]
            ),
            "token": st.sampled_from(["t0k3n-abc", "  t0k3n-abc  "]),
            "ca_file": st.sampled_from([None, "", "/etc/ssl/certs/ca-certificates.crt"]),
        },
        {
            "url": st.one_of(
                st.sampled_from(BAD_URLS if not bug_open("sync-config") else BAD_URLS[5:]),
                hostile_text().map(lambda t: t if bug_open("sync-config") else "https://" + t),
            ),
            "token": hostile_text() if not bug_open("sync-config") else st.sampled_from(["", " "]),
            "ca_file": hostile_text(30) if not bug_open("sync-config") else st.just("/nowhere.pem"),
        },
    )
)
def test_sync_setup(ctx: CounterContext, v: dict[str, Any]) -> None:
    outcome = attempt(
        ctx, "sync.setup", lambda: _configure(ctx, v["url"], v["token"], v["ca_file"])
    )
    if outcome.saved:
        # What was saved must be usable: the next sync builds its client from it.
        config = state.load_config()
        assert config is not None
        attempt(
            ctx, "sync.client_for", lambda: engine.client_for(config, timeout_s=0.1), writes=False
        )


# --------------------------------------------------------------------------- from the hub

_change_ids = itertools.count(1)


@st.composite
def hub_changes(draw: st.DrawFn, dossier_code: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["status", "catalogue", "calendar", "other"]))
    if kind == "status":
        payload: Any = {
            "code": draw(st.sampled_from([dossier_code, "", "X"])),
            "to": draw(st.one_of(st.sampled_from([4, 5, 6, 8, 9, 10]), json_values())),
            "at": draw(
                st.one_of(
                    st.just(now_vn().isoformat()),
                    any_moment().map(lambda m: m.isoformat() if m else ""),
                    json_values(),
                )
            ),
            "actor": draw(st.one_of(vietnamese_name(), hostile_text())),
            "note": draw(st.one_of(spelled(SENTENCES), hostile_text())),
            "unit": draw(st.one_of(spelled(PARTIES), hostile_text())),
        }
    else:
        payload = draw(json_values())
    return {
        "id": next(_change_ids),
        "kind": kind,
        "ref": draw(hostile_text(20)),
        "payload": draw(st.one_of(st.just(payload), json_values())),
    }


@examples(60)
@given(data=st.data())
def test_apply_hub_change(ctx: CounterContext, data: st.DataObject) -> None:
    code = new_dossier(ctx)
    tracking.hand_over(ctx, code, PARTIES[0])
    change = data.draw(hub_changes(code))
    attempt(ctx, "sync.pull.apply_change", lambda: pull.apply_change(ctx, change))


# --------------------------------------------------------------------------- open bugs

MAX_UTC = datetime.max.replace(tzinfo=UTC)
LAST_DAY = date.max
HUGE = 10**5000


def _tax_code_typed_again(ctx: CounterContext) -> None:
    kind = ApplicantKind.ORGANISATION
    first = ApplicantInput("Công ty TNHH Hoà Bình", kind=kind, tax_code="0101234567-001")
    intake.receive(ctx, intake.IntakeRequest("1.004873", first))
    again = ApplicantInput("Công ty TNHH Hoà Bình", kind=kind, tax_code="0101234567001")
    with pytest.raises(intake.DuplicateDossierError):
        intake.receive(ctx, intake.IntakeRequest("1.004873", again))


def _regressions() -> list[Any]:
    """(open bug, what, call on ctx) — each must give a result or a KnownError."""
    cases: list[tuple[str, str, Callable[[CounterContext], Any]]] = [
        (
            "moment-overflow",
            "preview_due 9999 UTC",
            lambda c: intake.preview_due(c, "1.004873", MAX_UTC),
        ),
        (
            "moment-overflow",
            "preview_due 9999 naive",
            lambda c: intake.preview_due(c, "1.004873", datetime.max),
        ),
        (
            "moment-overflow",
            "receive received_at 9999 UTC",
            lambda c: intake.receive(
                c, intake.IntakeRequest("1.004873", good_applicant(), received_at=MAX_UTC)
            ),
        ),
        (
            "moment-overflow",
            "change_status at 9999 UTC",
            lambda c: tracking.change_status(c, new_dossier(c), 4, at=MAX_UTC),
        ),
        (
            "moment-overflow",
            "apologise new due 9999 UTC",
            lambda c: tracking.apologise(c, new_dossier(c), "Chậm", MAX_UTC),
        ),
        (
            "moment-overflow",
            "complaint received year 1",
            lambda c: complaints.receive_complaint(
                c, complaints.ComplaintInput("Lê Văn A", "Nội dung", received_at=datetime.min)
            ),
        ),
        ("moment-overflow", "board now 9999 UTC", lambda c: board.board_counts(c, now=MAX_UTC)),
        (
            "day-overflow",
            "report 9999-12-31",
            lambda c: reports.build_report(c, LAST_DAY, LAST_DAY),
        ),
        (
            "day-overflow",
            "register 9999-12-31",
            lambda c: forms.register_data(c, LAST_DAY, LAST_DAY),
        ),
        ("day-overflow", "received_on 9999-12-31", lambda c: dossiers.received_on(c, LAST_DAY)),
        (
            "huge-int-message",
            "catalogue time_value 10**5000",
            lambda c: catalogue.import_catalogue(
                c,
                [
                    {
                        "code": "1.000001",
                        "name": "Thủ tục",
                        "field": "Hộ tịch",
                        "time_unit": "working_days",
                        "time_value": HUGE,
                        "documents": [{"name": "Tờ khai", "kind": "copy"}],
                    }
                ],
            ),
        ),
        (
            "huge-int-message",
            "calendar year 10**5000",
            lambda c: calendars.import_calendar(c, {"year": HUGE}),
        ),
        (
            "sqlite-int-overflow",
            "search offset 2**63",
            lambda c: search.search(c, "nguyen", offset=2**63),
        ),
        (
            "sqlite-int-overflow",
            "complaints limit 2**63",
            lambda c: complaints.list_complaints(c, "", limit=2**63),
        ),
        (
            "sqlite-int-overflow",
            "board offset 2**63",
            lambda c: board.board_rows(c, board.Category.OVERDUE, offset=2**63),
        ),
        (
            "sqlite-int-overflow",
            "received_on limit 2**63",
            lambda c: dossiers.received_on(c, date(2026, 11, 25), limit=2**63),
        ),
        ("duplicate-tax-code", "13 digits without the dash", _tax_code_typed_again),
        (
            "sync-config",
            "port 99999",
            lambda c: engine.client_for(_configure(c, "http://a:99999", "t", None)),
        ),
        ("sync-config", "IPv6 without ]", lambda c: _configure(c, "http://[::1/", "t", None)),
        (
            "sync-config",
            "empty DNS label",
            lambda c: engine.client_for(_configure(c, "http://a..b/", "t", None)).get("/"),
        ),
        (
            "sync-config",
            "NUL in CA path",
            lambda c: engine.client_for(_configure(c, "https://a.vn", "t", "a\x00b")),
        ),
        (
            "sync-config",
            "Vietnamese token",
            lambda c: engine.client_for(
                _configure(c, "http://127.0.0.1:9", "mã-truy-cập", None)
            ).get("/"),
        ),
    ]
    return [
        pytest.param(
            make,
            id=f"{bug}: {what}",
            marks=pytest.mark.xfail(bug_open(bug), strict=True, reason=OPEN_BUGS.get(bug, "")),
        )
        for bug, what, make in cases
    ]


@pytest.mark.parametrize("call", _regressions())
def test_open_bug_regressions(ctx: CounterContext, call: Callable[[CounterContext], Any]) -> None:
    must_not_crash(lambda: call(ctx))


def _hub_note(ctx: CounterContext) -> Any:
    code = new_dossier(ctx)
    tracking.hand_over(ctx, code, PARTIES[0])
    payload = {
        "code": code,
        "to": 5,
        "at": now_vn().isoformat(),
        "actor": unicodedata.normalize("NFD", "Lê Thị Hoà"),
        "unit": "Phòng Tư pháp\t",
        "note": "Thiếu \u202egiấy tờ",
    }
    return pull.apply_change(ctx, {"id": 1, "kind": "status", "ref": code, "payload": payload})


def _stored_regressions() -> list[Any]:
    """(open bug, what, call on ctx) — each must refuse, or store clean text."""
    doc = DocumentLine("Giấy tờ " + "x" * 10_000, "copy", 1)
    cases: list[tuple[str, str, Callable[[CounterContext], Any]]] = [
        (
            "catalogue-text",
            "10,000-character procedure name",
            lambda c: catalogue.import_catalogue(
                c,
                [
                    {
                        "code": "1.000002",
                        "name": "Thủ tục " + "a" * 10_000,
                        "field": "Hộ tịch",
                        "time_unit": "working_days",
                        "time_value": 1,
                        "documents": [{"name": "Tờ khai", "kind": "copy"}],
                    }
                ],
            ),
        ),
        (
            "intake-free-text",
            "10,000-character document name",
            lambda c: intake.receive(
                c, intake.IntakeRequest("1.004873", good_applicant(), documents=(doc,))
            ),
        ),
        (
            "intake-free-text",
            "control characters in the submission id",
            lambda c: intake.receive(
                c, intake.IntakeRequest("1.004873", good_applicant(), submission_id="\x00\u202e")
            ),
        ),
        ("hub-text", "a district note with bidi and NFD", _hub_note),
        (
            "sync-config",
            "newline in the token",
            lambda c: _configure(c, "https://a.vn", "a\nb", None),
        ),
        (
            "sync-config",
            "10,000-character URL",
            lambda c: _configure(c, "https://" + "a" * 10_000, "t", None),
        ),
    ]
    return [
        pytest.param(
            make,
            id=f"{bug}: {what}",
            marks=pytest.mark.xfail(bug_open(bug), strict=True, reason=OPEN_BUGS.get(bug, "")),
        )
        for bug, what, make in cases
    ]


@pytest.mark.parametrize("call", _stored_regressions())
def test_open_bug_stored_text(ctx: CounterContext, call: Callable[[CounterContext], Any]) -> None:
    before = snapshot(ctx)
    try:
        call(ctx)
    except KnownError as err:
        check_known_error(err)
        return
    changes = changed(before, snapshot(ctx))
    problems: list[str] = []
    for table, rows in changes.items():
        names = ["rowid", *columns(ctx, table)]
        for row in rows:
            values = dict(zip(names, row, strict=True))
            key = str(values.get("key", ""))
            for column, value in values.items():
                if isinstance(value, str) and (table, column) not in JSON_COLUMNS | PATHS:
                    limit = (
                        SETTING_LIMITS.get(key)
                        if table == "setting"
                        else LIMITS.get((table, column))
                    )
                    problems += text_problems(
                        f"{table}.{column}",
                        value,
                        limit=limit,
                        multiline=(table, column) in MULTILINE,
                    )
    assert not problems, problems
