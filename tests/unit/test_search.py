"""One search box: whatever the clerk types about a dossier finds it, best match first."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from counter_app.domain.clock import VN_TZ, now_vn
from counter_app.domain.identity import ApplicantInput, ApplicantKind, Sex
from counter_app.domain.text import fold
from counter_app.services import search as search_module
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.dto import DossierDetail
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.search import count_matches, find_by_code, is_capped, search
from counter_app.store.db import close_database
from counter_app.store.models import Dossier, DossierDocument, StatusHistory

from ..conftest import AGENCY_CODE

_serial = iter(range(100_000, 999_999))


def person(
    name: str, *, sex: Sex = Sex.MALE, phone: str = "", id_number: str = ""
) -> ApplicantInput:
    """A valid citizen born in 1990 (the CCCD's 4th digit follows the sex)."""
    number = id_number or f"001{0 if sex is Sex.MALE else 1}90{next(_serial):06d}"
    return ApplicantInput(
        name=name,
        id_number=number,
        dob=date(1990, 5, 1),
        sex=sex,
        address="Thôn Đông, xã An Hòa",
        phone=phone,
    )


def intake(
    ctx: CounterContext, applicant: ApplicantInput, days_ago: int | None = None
) -> DossierDetail:
    received = None
    if days_ago is not None:
        received = (now_vn() - timedelta(days=days_ago)).replace(hour=9, minute=0, second=0)
    return receive(
        ctx, IntakeRequest("2.000815", applicant, received_at=received, allow_duplicate=True)
    )


def names(found: list) -> list[str]:  # type: ignore[type-arg]
    return [summary.applicant_name for summary in found]


def codes(found: list) -> list[str]:  # type: ignore[type-arg]
    return [summary.code for summary in found]


# --- folding: what is typed and what is stored meet whatever the marks ------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("hoà", "hòa"),  # old and new tone placement
        ("Hoà", "HÒA"),
        ("thuý", "thúy"),
        ("Thuý", "THÚY"),
        ("khoẻ", "khỏe"),
        ("quỳnh", "qùynh"),  # tone on the wrong vowel still folds alike
        ("Quỳnh", unicodedata.normalize("NFD", "QUỲNH")),  # decomposed, as some IMEs send
        ("Đức", "duc"),
        ("đặng", "DANG"),
    ],
)
def test_tone_placement_and_marks_fold_alike(one: str, other: str) -> None:
    assert fold(one) == fold(other)


# --- names ------------------------------------------------------------------------------------


def test_a_name_is_found_without_marks_with_marks_and_with_d_for_đ(
    counter: CounterContext,
) -> None:
    duc = intake(counter, person("Nguyễn Văn Đức"))
    typed_plain = intake(counter, person("Nguyen Van Duc"))  # entered without an IME
    for text in (
        "nguyen van duc",
        "NGUYEN VAN DUC",
        "Nguyễn Văn Đức",
        unicodedata.normalize("NFD", "Nguyễn Văn Đức"),
        "  nguyễn   văn  đức ",
        "Nguyễn văn Dúc",
    ):
        assert set(codes(search(counter, text))) == {duc.code, typed_plain.code}, text


def test_both_tone_placements_find_each_other(counter: CounterContext) -> None:
    old_style = intake(counter, person("Lê Thị Hoà", sex=Sex.FEMALE))
    new_style = intake(counter, person("Trần Thị Hòa", sex=Sex.FEMALE))
    thuy = intake(counter, person("Phạm Thị Thuý", sex=Sex.FEMALE))
    quynh = intake(counter, person("Đỗ Ngọc Quỳnh", sex=Sex.FEMALE))
    assert set(codes(search(counter, "hòa"))) == {old_style.code, new_style.code}
    assert set(codes(search(counter, "hoà"))) == {old_style.code, new_style.code}
    assert codes(search(counter, "thúy")) == [thuy.code]
    assert codes(search(counter, "quynh")) == [quynh.code]
    assert codes(search(counter, "Qùynh")) == [quynh.code]


def test_each_letter_typed_keeps_the_dossier_in_the_list(counter: CounterContext) -> None:
    wanted = intake(counter, person("Nguyễn Văn Đức"))
    intake(counter, person("Trần Thị Mai", sex=Sex.FEMALE))
    typed = ""
    for letter in "nguyễn văn đức":
        typed += letter
        found = codes(search(counter, typed))
        assert wanted.code in found, typed
    assert codes(search(counter, "nguyen v")) == [wanted.code]
    assert codes(search(counter, "tran thi h")) == []
    assert codes(search(counter, "Đ")) == [wanted.code]  # "d": Đức


def test_a_space_after_a_word_means_the_word_is_complete(counter: CounterContext) -> None:
    la = intake(counter, person("La Văn Hùng"))
    lam = intake(counter, person("Lâm Thị Mai", sex=Sex.FEMALE))
    assert set(codes(search(counter, "la"))) == {la.code, lam.code}
    assert codes(search(counter, "la ")) == [la.code]
    assert codes(search(counter, "lâm ")) == [lam.code]


def test_names_that_begin_with_the_text_come_before_names_that_hold_it(
    counter: CounterContext,
) -> None:
    holds_early = intake(counter, person("Trần Văn Hoà"), days_ago=30)
    begins_old = intake(counter, person("Hoàng Văn Nam"), days_ago=20)
    begins_new = intake(counter, person("Hoà Minh Tuấn"), days_ago=10)
    holds_late = intake(counter, person("Lê Thị Hoa", sex=Sex.FEMALE), days_ago=1)
    intake(counter, person("Phạm Văn Long"))
    found = codes(search(counter, "hoa"))
    # Beginning with "hoa" first (newest first), then holding a word "hoa…" (newest first).
    assert found == [begins_new.code, begins_old.code, holds_late.code, holds_early.code]
    assert count_matches(counter, "hoa") == 4
    # Words in any order find the name, after those that begin with them.
    assert codes(search(counter, "van hoa")) == [begins_old.code, holds_early.code]
    assert codes(search(counter, "hoa tran")) == [holds_early.code]


def test_pages_join_up_without_gaps_or_repeats_whatever_the_plan(
    counter: CounterContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(7):
        intake(counter, person(f"Nguyễn Văn {['An', 'Bình', 'Cường'][index % 3]}"))
        intake(counter, person(f"Trần Nguyễn {['Dũng', 'Hải'][index % 2]}"))
    intake(counter, person("Lê Văn Long"))
    for cap in (10_000, 3):  # 3: too many names begin so; the word index reads them
        monkeypatch.setattr(search_module, "COUNT_CAP", cap)
        everything = codes(search(counter, "nguyen", limit=100))
        assert len(everything) == 14 and len(set(everything)) == 14
        assert names(search(counter, "nguyen", limit=100))[:7] == [
            "Nguyễn Văn " + n for n in ["An", "Cường", "Bình", "An", "Cường", "Bình", "An"]
        ]
        paged = [
            code
            for offset in range(0, 15, 4)
            for code in codes(search(counter, "nguyen", limit=4, offset=offset))
        ]
        assert paged == everything, cap
        assert search(counter, "nguyen", offset=14) == []


def test_counts_are_capped_and_say_so(
    counter: CounterContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    for given in ("An", "Bình", "Cường", "Dũng", "Hải"):
        intake(counter, person(f"Nguyễn Văn {given}"))
    assert count_matches(counter, "nguyen") == 5 and not is_capped(5)
    monkeypatch.setattr(search_module, "COUNT_CAP", 3)
    capped = count_matches(counter, "nguyen")
    assert capped == 4
    assert search_module.is_capped(capped)
    assert len(search(counter, "nguyen", offset=3)) == 2  # every listed row is still reachable


# --- codes, ID numbers, phones ----------------------------------------------------------------


def test_a_code_is_found_whole_or_in_part(counter: CounterContext) -> None:
    first = intake(counter, person("Nguyễn Văn Đức"), days_ago=2)
    second = intake(counter, person("Trần Thị Mai", sex=Sex.FEMALE), days_ago=2)
    today = intake(counter, person("Lê Văn Nam"))
    day, number = first.code.rsplit("-", 2)[1:]
    assert number == "1001"
    assert codes(search(counter, first.code)) == [first.code]
    assert codes(search(counter, first.code.lower())) == [first.code]
    assert codes(search(counter, f"{day}-{number}")) == [first.code]  # as read off a receipt
    assert codes(search(counter, f"{day} {number}")) == [first.code]
    assert codes(search(counter, f"{day}{number}")) == [first.code]
    assert codes(search(counter, f"{day}-100")) == [second.code, first.code]
    assert codes(search(counter, day)) == [second.code, first.code]  # that day's dossiers
    assert codes(search(counter, "1001")) == [today.code, first.code]  # number, any day
    assert codes(search(counter, f"{AGENCY_CODE}-")) == [today.code, second.code, first.code]
    assert codes(search(counter, AGENCY_CODE.lower()))[0] == today.code
    assert find_by_code(counter, f" {first.code.lower()} ") is not None
    found = find_by_code(counter, first.code)
    assert found is not None
    assert (found.applicant_name, found.procedure_code, found.status) == (
        "Nguyễn Văn Đức",
        "2.000815",
        first.summary.status,
    )
    assert found.received_at == first.summary.received_at
    assert found.due_at == first.summary.due_at
    assert find_by_code(counter, f"{AGENCY_CODE}-991231-1001") is None
    assert find_by_code(counter, "1001") is None  # a lookup, not a search


def test_id_number_and_phone_find_their_dossiers_first(counter: CounterContext) -> None:
    mine = person("Nguyễn Văn Đức", id_number="001090012345", phone="0912345678")
    first = intake(counter, mine, days_ago=5)
    again = intake(counter, mine)
    other = intake(counter, person("Trần Văn Nam", id_number="001090012399", phone="0983111222"))
    company = intake(
        counter,
        ApplicantInput(
            name="Công ty TNHH Hòa Bình", kind=ApplicantKind.ORGANISATION, tax_code="0101234567"
        ),
    )
    assert codes(search(counter, "001090012345")) == [again.code, first.code]
    assert codes(search(counter, "0010 9001 2345")) == [again.code, first.code]
    for typed in ("0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678"):
        assert codes(search(counter, typed)) == [again.code, first.code], typed
    assert codes(search(counter, "0101234567")) == [company.code]
    assert codes(search(counter, "hoa binh")) == [company.code]
    # As the ID is typed: its dossiers, in number order, the exact one first once complete.
    assert codes(search(counter, "00109001")) == [again.code, first.code, other.code]
    assert codes(search(counter, "0010900123")) == [again.code, first.code, other.code]
    assert codes(search(counter, "001090012399")) == [other.code]
    assert codes(search(counter, "0983")) == [other.code]  # a phone, begun
    assert search(counter, "09") == []  # too short to mean anything yet


def test_a_dossier_matching_two_ways_is_listed_once(counter: CounterContext) -> None:
    # Its ID and its phone both begin "0910": one line, not two.
    both = intake(counter, person("Ngô Văn Tài", id_number="091090000001", phone="0910000111"))
    assert codes(search(counter, "0910")) == [both.code]
    assert count_matches(counter, "0910") == 1


def test_nothing_typed_or_nothing_found(counter: CounterContext) -> None:
    intake(counter, person("Nguyễn Văn Đức"))
    for text in ("", "   ", "*", '"', "- -", "khuc", "nguyen thi duc"):
        assert search(counter, text) == [], text
        assert count_matches(counter, text) == 0, text
    assert search(counter, "nguyen", limit=0) == []


# --- the index follows every write ------------------------------------------------------------


def test_a_dossier_just_received_is_found_at_once(counter: CounterContext) -> None:
    detail = intake(counter, person("Võ Thị Thanh Xuân", sex=Sex.FEMALE, phone="0977000111"))
    assert codes(search(counter, "vo thi thanh x")) == [detail.code]
    assert codes(search(counter, detail.code)) == [detail.code]
    assert codes(search(counter, "0977000111")) == [detail.code]
    summary = search(counter, "xuan")[0]
    assert summary == detail.summary


def test_a_corrected_name_is_found_by_the_new_name_only(counter: CounterContext) -> None:
    detail = intake(counter, person("Nguyễn Văn Đứt"))
    corrected = "Nguyễn Văn Đức"
    Dossier.update(applicant_name=corrected, applicant_key=fold(corrected)).where(
        Dossier.code == detail.code
    ).execute()
    assert codes(search(counter, "duc")) == [detail.code]
    assert search(counter, "dut") == []
    row = Dossier.get(Dossier.code == detail.code)
    DossierDocument.delete().where(DossierDocument.dossier == row.id).execute()
    StatusHistory.delete().where(StatusHistory.dossier == row.id).execute()
    Dossier.delete().where(Dossier.id == row.id).execute()
    assert search(counter, "duc") == []
    counter.db.execute_sql(
        "INSERT INTO dossier_name_fts (dossier_name_fts) VALUES ('integrity-check')"
    )


def test_dossiers_from_before_the_search_index_are_found_after_upgrading(
    counter: CounterContext, home: Path
) -> None:
    detail = intake(counter, person("Hoàng Thị Thuý", sex=Sex.FEMALE))
    # Back to schema 2: no search index (nor what later schemas add), as on a counter
    # installed earlier.
    for statement in (
        "DROP TABLE sync_issue",
        "DROP TABLE hub_change",
        "DROP INDEX outbox_waiting",
        "ALTER TABLE status_history DROP COLUMN origin",
        "DROP TRIGGER dossier_name_fts_insert",
        "DROP TRIGGER dossier_name_fts_update",
        "DROP TRIGGER dossier_name_fts_delete",
        "DROP TABLE dossier_name_fts",
        "DROP INDEX dossier_code_tail",
        "DROP INDEX dossier_code_number",
        "DROP INDEX dossier_tax_code",
        "DROP TRIGGER audit_log_no_update",
        "DROP TRIGGER audit_log_no_delete",
        "DROP TABLE operator",
        "DROP INDEX dossier_submission",
        "ALTER TABLE dossier DROP COLUMN submission_id",
        "ALTER TABLE audit_log DROP COLUMN prev_hash",
        "ALTER TABLE audit_log DROP COLUMN hash",
        "PRAGMA user_version = 2",
    ):
        counter.db.execute_sql(statement)
    close_database()
    ctx = open_counter(home)
    assert codes(search(ctx, "hoang thi thuy")) == [detail.code]
    assert codes(search(ctx, detail.code.split("-", 1)[1])) == [detail.code]
    assert list(home.glob("counter.sqlite3.v2-*.bak"))  # kept aside


def test_received_moments_survive_the_round_trip(counter: CounterContext) -> None:
    detail = intake(counter, person("Bùi Văn Toàn"), days_ago=3)
    found = search(counter, "bui van toan")[0]
    assert found.received_at.tzinfo is not None
    assert found.received_at == detail.summary.received_at
    assert found.received_at.astimezone(VN_TZ).date() == (now_vn() - timedelta(days=3)).date()
    assert isinstance(found.due_at, datetime)
