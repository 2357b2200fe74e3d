"""Real Vietnamese input, written the many ways keyboards and systems write it.

Each pair of ``SAME`` is one name written two ways a clerk's PC really produces:
Unikey/VNI "Unicode dựng sẵn" (NFC) against decomposed input (NFD: macOS, some Android
keyboards, text pasted from PDFs) or Unikey's "Unicode tổ hợp" (precomposed letters,
combining tone marks); the old and the new tone placement ("hòa"/"hoà", "thúy"/"thuý",
"khỏe"/"khoẻ"); upper and lower case; odd spaces. For each the dossier saved with one
form is stored in NFC, found by a search typed in the other form, and taken as the same
applicant by duplicate detection. ``SEARCH_ONLY`` pairs are different spellings a search
must still bridge (no marks typed, đ typed as d, Đ from an old-encoding converter);
``DIFFERENT`` pairs are other people, whom neither may confuse.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.clock import TEST_NOW_ENV
from counter_app.domain.identity import (
    ApplicantInput,
    ApplicantKind,
    Sex,
    century_sex_digit,
    clean_text,
    validate_applicant,
)
from counter_app.domain.text import clean_line, find_stray_mark, fold
from counter_app.errors import ValidationError
from counter_app.services import accounts
from counter_app.services.calendars import reset_cache
from counter_app.services.context import CounterContext
from counter_app.services.intake import (
    DuplicateDossierError,
    IntakeRequest,
    find_open_duplicates,
    receive,
)
from counter_app.services.search import count_matches, search
from tests.conftest import CHEAP_HASHER, TEST_NOW
from tests.property.strategies import (
    any_text,
    combining_soup,
    examples,
    nfd,
    odd_spacing,
    unikey_combining,
    vietnamese_name,
)
from tests.support.counters import ready_counter

PROCEDURE_A = "1.004873"  # two procedures: the two spellings of one person may each
PROCEDURE_B = "2.000815"  # have a dossier open without being each other's duplicate


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    why: str

    def __str__(self) -> str:
        return f"{self.why}: {self.a!a} ~ {self.b!a}"


def upper(text: str) -> str:
    return unicodedata.normalize("NFC", text).upper()


SAME = [
    # Composed (Unikey/VNI "Unicode dựng sẵn") vs fully decomposed (NFD).
    Pair("Nguyễn Thị Thu Hà", nfd("Nguyễn Thị Thu Hà"), "NFD"),
    Pair("Đặng Văn Đức", nfd("Đặng Văn Đức"), "NFD with đ"),
    Pair("Trương Thị Thuỳ Dương", nfd("Trương Thị Thuỳ Dương"), "NFD, ư ơ"),
    Pair("Trần Quốc Toản", nfd("Trần Quốc Toản"), "NFD, ố ả"),
    Pair("Lê Hoàng Yến", nfd("Lê Hoàng Yến"), "NFD, ế"),
    Pair("Phạm Minh Khuê", nfd("Phạm Minh Khuê"), "NFD, ạ ê"),
    Pair("Huỳnh Ngọc Thuý", nfd("Huỳnh Ngọc Thuý"), "NFD, ỳ ọ ý"),
    Pair("Võ Thị Ánh Tuyết", nfd("Võ Thị Ánh Tuyết"), "NFD, capital Á"),
    Pair("Ngô Bảo Châu", nfd("Ngô Bảo Châu"), "NFD, ô ả â"),
    Pair("Lý Thường Kiệt", nfd("Lý Thường Kiệt"), "NFD, ườ ệ"),
    Pair("Trịnh Công Sơn", nfd("Trịnh Công Sơn"), "NFD, ơ"),
    Pair("Ưng Hoàng Phúc", nfd("Ưng Hoàng Phúc"), "NFD, capital Ư"),
    Pair("Ngọ Văn Ước", nfd("Ngọ Văn Ước"), "NFD, capital Ướ"),
    Pair("Âu Cơ", nfd("Âu Cơ"), "NFD, capital Â"),
    # Unikey "Unicode tổ hợp": letters precomposed, tone marks combining.
    Pair("Nguyễn Thị Thu Hà", unikey_combining("Nguyễn Thị Thu Hà"), "Unicode tổ hợp"),
    Pair("Đỗ Mạnh Hùng", unikey_combining("Đỗ Mạnh Hùng"), "Unicode tổ hợp, ỗ"),
    Pair("Hồ Thị Hương", unikey_combining("Hồ Thị Hương"), "Unicode tổ hợp, ồ ư ơ"),
    Pair("Lương Thế Vinh", unikey_combining("Lương Thế Vinh"), "Unicode tổ hợp, ế"),
    Pair("Bùi Thị Xuân", unikey_combining("Bùi Thị Xuân"), "Unicode tổ hợp, ù ị"),
    Pair("Đinh Tiên Hoàng", unikey_combining("Đinh Tiên Hoàng"), "Unicode tổ hợp, à"),
    Pair("Vũ Đình Khoẻ", unikey_combining("Vũ Đình Khoẻ"), "Unicode tổ hợp, ẻ"),
    # Dot below written before or after the circumflex (two orders, one NFC).
    Pair("Phạm Thị Huệ", "Pha\u0323m Thi\u0323 Hue\u0323\u0302", "NFD, ệ as e+dot+hat"),
    Pair("Phạm Thị Huệ", "Pha\u0323m Thi\u0323 Hue\u0302\u0323", "combining, ệ as e+hat+dot"),
    # Windows-1258 era combining tone marks (U+0340/U+0341 map to U+0300/U+0301).
    Pair("Hà Thị Uyên", "Ha\u0340 Thi\u0323 Uye\u0302n", "U+0340 grave tone mark"),
    Pair("Kiều Thị Loan", "Kie\u0302\u0300u Thi\u0323 Loan", "NFD, ề"),
    # Old vs new tone placement (oa, oe, uy at the end of a syllable).
    Pair("Hoàng Thị Hoà", "Hoàng Thị Hòa", "hoà/hòa"),
    Pair("Lê Văn Hoá", "Lê Văn Hóa", "hoá/hóa"),
    Pair("Dương Thị Ngọc Hoá", "Dương Thị Ngọc Hóa", "Ngọc Hoá/Hóa"),
    Pair("Huỳnh Ngọc Thuý", "Huỳnh Ngọc Thúy", "thuý/thúy"),
    Pair("Trương Thị Thuỳ Dương", "Trương Thị Thùy Dương", "thuỳ/thùy"),
    Pair("Tô Thị Thuỷ", "Tô Thị Thủy", "thuỷ/thủy"),
    Pair("Vũ Đình Khoẻ", "Vũ Đình Khỏe", "khoẻ/khỏe"),
    Pair("Thái Thị Tuỳ Anh", "Thái Thị Tùy Anh", "tuỳ/tùy"),
    Pair("Mai Thị Thoả", "Mai Thị Thỏa", "thoả/thỏa"),
    Pair("Lê Thị Hoè", "Lê Thị Hòe", "hoè/hòe"),
    Pair("Lê Thị Thuỵ", "Lê Thị Thụy", "thuỵ/thụy"),
    Pair("Phan Thanh Toà", "Phan Thanh Tòa", "toà/tòa"),
    Pair("Hoàng Thị Hoà", nfd("Hoàng Thị Hòa"), "new placement NFC vs old placement NFD"),
    Pair("Huỳnh Ngọc Thuý", upper("Huỳnh Ngọc Thúy"), "new placement vs old placement, capitals"),
    # Upper and lower case.
    Pair("Nguyễn Thị Thu Hà", "NGUYỄN THỊ THU HÀ", "capitals"),
    Pair("Đặng Văn Đức", "ĐẶNG VĂN ĐỨC", "capitals with Đ"),
    Pair("Ưng Hoàng Phúc", "ưng hoàng phúc", "lower case ư"),
    Pair("Trần Quốc Toản", nfd("TRẦN QUỐC TOẢN"), "capitals, NFD"),
    Pair("Lạc Long Quân", "lạc LONG quân", "mixed case"),
    Pair("Ông Ích Khiêm", "ÔNG ÍCH KHIÊM", "capitals Ô Í"),
    # Spaces: doubled, tabs, no-break (Word, web forms), ideographic, leading and trailing.
    Pair("Nguyễn Thị Thu Hà", "  Nguyễn   Thị Thu\tHà ", "extra spaces and a tab"),
    Pair("Trương Thị Thuỳ Dương", odd_spacing("Trương Thị Thuỳ Dương"), "no-break spaces"),
    Pair("Lê Hoàng Yến", "Lê\u00a0Hoàng\u00a0Yến", "no-break spaces only"),
    Pair("Phạm Minh Khuê", "Phạm\u3000Minh\u3000Khuê", "ideographic spaces"),
    Pair("Bùi Thị Xuân", "Bùi\u2003Thị \u2009Xuân", "em and thin spaces"),
    Pair("Đỗ Mạnh Hùng", "\tĐỗ Mạnh Hùng\n", "tab before, newline after"),
    # Several at once, as a bad day at the counter gives them.
    Pair("Trương Thị Thuỳ Dương", nfd("  TRƯƠNG  THỊ THÙY DƯƠNG "), "caps, old tone, NFD, spaces"),
    Pair("Mai Thị Thoả", unikey_combining("MAI THỊ THỎA"), "caps, old tone, tổ hợp"),
    Pair("Quách Thị Quý", nfd("QUÁCH\u00a0THỊ\u00a0QUÝ"), "quý: caps, NFD, no-break"),
]

SEARCH_ONLY = [
    # Typed with the Vietnamese keyboard off: a search must still find the dossier.
    Pair("Nguyễn Thị Thu Hà", "nguyen thi thu ha", "no marks"),
    Pair("Đặng Văn Đức", "dang van duc", "no marks, d for đ"),
    Pair("Trương Thị Thuỳ Dương", "TRUONG THI THUY DUONG", "no marks, capitals"),
    Pair("Đặng Văn Đức", "Dặng Văn Dức", "d for đ, marks kept"),
    Pair("Đinh Tiên Hoàng", "dinh   tien  hoang", "no marks, extra spaces"),
    # Đ from old TCVN3/VNI converters: U+00D0 (Icelandic eth) looks the same in capitals.
    Pair("Đặng Văn Đức", "\u00d0ẶNG VĂN \u00d0ỨC", "Ð (U+00D0) for Đ"),
    Pair("Đỗ Mạnh Hùng", "\u00d0\u00f4\u0303 Ma\u0323nh Hu\u0300ng", "Ð (U+00D0), NFD"),
    # A name pasted from a chat app carries zero-width characters (intake refuses them).
    Pair("Lê Hoàng Yến", "Lê Hoàng Yến\u200b", "zero-width space at the end"),
    Pair("Ngô Bảo Châu", "\ufeffNgô Bảo Châu", "byte-order mark in front"),
    Pair("Lương Thế Vinh", "Lương Thế\u00ad Vinh", "soft hyphen"),
]

DIFFERENT = [
    Pair("Trần Thị Lan", "Trần Thị Lam", "n/m"),
    Pair("Nguyễn Văn Đức", "Nguyễn Văn Được", "Đức/Được"),
    Pair("Lê Thị Thu", "Lê Thị Thuỷ", "Thu/Thuỷ"),
    Pair("Hoàng Văn Nam", "Hoàng Văn Lam", "N/L"),
    Pair("Đặng Thị Mai", "Đặng Thị Mi", "Mai/Mi"),
    Pair("Bùi Thị Hạnh", "Bùi Thị Hạng", "nh/ng"),
    Pair("Ngô Văn Khánh", "Ngô Văn Thánh", "Kh/Th"),
    Pair("Trương Văn Phúc", "Trương Văn Phước", "Phúc/Phước"),
    Pair("Lý Thị Ngọc", "Lý Thị Ngọ", "Ngọc/Ngọ"),
    Pair("Đỗ Văn Đạt", "Đỗ Văn Đạo", "t/o"),
    Pair("Quách Thị Quý", "Quách Thị Quy", "quý is not a tone variant of quy… but folds alike"),
]
# "Quý"/"Quy" differ only by a mark: a folded key cannot tell them apart, so the last
# DIFFERENT pair is checked for duplicates only when the folded keys differ (see below).


def test_the_table_is_large_enough() -> None:
    assert len(SAME) + len(SEARCH_ONLY) >= 50
    assert len({(p.a, p.b) for p in SAME + SEARCH_ONLY}) == len(SAME) + len(SEARCH_ONLY)
    for pair in SAME + SEARCH_ONLY:
        assert pair.a != pair.b, pair


# --------------------------------------------------------------------------- the counter


@pytest.fixture(scope="module")
def counter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CounterContext]:
    """One counter for the whole table (each case uses its own dates of birth)."""
    home: Path = tmp_path_factory.mktemp("vietnamese") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TEST_NOW_ENV, TEST_NOW)
        mp.setattr(accounts, "HASHER", CHEAP_HASHER)
        reset_cache()
        ctx = ready_counter(home)
        yield ctx
        ctx.close()
        reset_cache()


_numbers = iter(range(1, 1_000_000))


def person(index: int, name: str) -> tuple[ApplicantInput, date]:
    """An applicant with a date of birth of their own and a fresh CCCD that agrees with it."""
    dob = date(1930, 1, 1) + timedelta(days=61 * index + 13)
    number = f"001{century_sex_digit(dob, Sex.FEMALE)}{dob.year % 100:02d}{next(_numbers):06d}"
    return ApplicantInput(name=name, id_number=number, dob=dob, sex=Sex.FEMALE), dob


def save(ctx: CounterContext, procedure: str, applicant: ApplicantInput) -> str:
    detail = receive(ctx, IntakeRequest(procedure, applicant))
    return detail.code


def stored(ctx: CounterContext, code: str) -> tuple[str, str]:
    row = ctx.db.execute_sql(
        "SELECT applicant_name, applicant_key FROM dossier WHERE code = ?", (code,)
    ).fetchone()
    return str(row[0]), str(row[1])


def found(ctx: CounterContext, text: str) -> set[str]:
    return {s.code for s in search(ctx, text, limit=1000)}


def counts(ctx: CounterContext) -> tuple[int, ...]:
    return tuple(
        ctx.db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("dossier", "outbox", "audit_log")
    )


# --------------------------------------------------------------------------- same person


@pytest.mark.parametrize("index", range(len(SAME)), ids=[str(p) for p in SAME])
def test_same_name_two_ways(counter: CounterContext, index: int) -> None:
    pair = SAME[index]
    first, dob = person(index, pair.b)
    code_b = save(counter, PROCEDURE_A, first)
    second, _ = person(index, pair.a)  # same person, same birthday, another CCCD typed
    code_a = save(counter, PROCEDURE_B, second)

    # (a) stored in NFC, spaces collapsed, whichever form was typed.
    for code, typed in ((code_b, pair.b), (code_a, pair.a)):
        name, key = stored(counter, code)
        assert unicodedata.is_normalized("NFC", name), ascii(name)
        assert name == clean_line(typed)
        assert key == fold(pair.a) == fold(pair.b)
    assert fold(stored(counter, code_a)[0]) == fold(stored(counter, code_b)[0])

    # (b) a search typed either way finds both dossiers, and counts them.
    for typed in (pair.a, pair.b):
        assert {code_a, code_b} <= found(counter, typed), typed
        assert count_matches(counter, typed) >= 2

    # (c) the same person: a third dossier of either procedure, typed the other way, is
    # flagged (also by name and birthday alone, with another CCCD) and nothing is written.
    for procedure, typed, existing in (
        (PROCEDURE_A, pair.a, code_b),
        (PROCEDURE_B, pair.b, code_a),
    ):
        probe = ApplicantInput(name=typed, dob=dob, sex=Sex.FEMALE)
        assert existing in {s.code for s in find_open_duplicates(counter, procedure, probe)}
        before = counts(counter)
        again, _ = person(index, typed)
        with pytest.raises(DuplicateDossierError) as caught:
            receive(counter, IntakeRequest(procedure, again))
        assert existing in {m.code for m in caught.value.matches}
        assert counts(counter) == before


@pytest.mark.parametrize("index", range(len(SEARCH_ONLY)), ids=[str(p) for p in SEARCH_ONLY])
def test_search_bridges_spellings(counter: CounterContext, index: int) -> None:
    pair = SEARCH_ONLY[index]
    applicant, _ = person(100 + index, pair.a)
    code = save(counter, PROCEDURE_A, applicant)
    assert code in found(counter, pair.b), ascii(pair.b)
    assert code in found(counter, pair.a)
    assert fold(pair.a) == fold(pair.b)


# --------------------------------------------------------------------------- other people


@pytest.mark.parametrize("index", range(len(DIFFERENT)), ids=[str(p) for p in DIFFERENT])
def test_different_names_stay_apart(counter: CounterContext, index: int) -> None:
    pair = DIFFERENT[index]
    applicant, dob = person(200 + index, pair.a)
    code = save(counter, PROCEDURE_A, applicant)
    other = ApplicantInput(name=pair.b, dob=dob, sex=Sex.FEMALE)
    if fold(pair.a) == fold(pair.b):
        # Marks only: the folded key is one; duplicate detection then asks the clerk
        # (a warning she may pass with allow_duplicate), it does not decide.
        assert code in {s.code for s in find_open_duplicates(counter, PROCEDURE_A, other)}
        return
    assert code not in {s.code for s in find_open_duplicates(counter, PROCEDURE_A, other)}
    # A search for the other name, typed to its end (a space after the last word), does
    # not list this dossier.
    assert code not in found(counter, pair.b + " ")
    # The other person is received normally.
    second, _ = person(200 + index, pair.b)
    assert save(counter, PROCEDURE_A, second) != code


def test_same_name_other_birthday_or_procedure_is_not_a_duplicate(
    counter: CounterContext,
) -> None:
    applicant, dob = person(300, "Nguyễn Thị Thu Hà")
    code = save(counter, PROCEDURE_A, applicant)
    younger = ApplicantInput(name=nfd("NGUYỄN THỊ THU HÀ"), dob=dob + timedelta(days=1))
    assert code not in {s.code for s in find_open_duplicates(counter, PROCEDURE_A, younger)}
    same = ApplicantInput(name=nfd("NGUYỄN THỊ THU HÀ"), dob=dob)
    assert code not in {s.code for s in find_open_duplicates(counter, "1.001193", same)}
    assert code in {s.code for s in find_open_duplicates(counter, PROCEDURE_A, same)}


# --------------------------------------------------------------------------- the text rules
# (domain/text.py and domain/identity.py: what the table above stands on)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("\u00d0ẶNG VĂN \u00d0ỨC", "dang van duc"),  # Ð U+00D0 from old converters
        ("\u00f0\u00f4\u0303", "do"),  # ð U+00F0
        ("\u0189inh", "dinh"),  # Ɖ U+0189 (African D)
        ("Lê\u200b Văn", "le van"),  # zero-width space dropped
        ("\ufeffNgô", "ngo"),  # byte-order mark dropped
        ("Lương\u00ad Thế", "luong the"),  # soft hyphen dropped
        ("Nguyễn\u202e Văn", "nguyen van"),  # a bidi override dropped
        ("İstanbul", "istanbul"),  # casefold's combining dot goes with the marks
    ],
)
def test_fold_bridges_look_alikes_and_invisible_characters(typed: str, key: str) -> None:
    assert fold(typed) == key


@examples(300)
@given(text=st.one_of(any_text(40), vietnamese_name(), combining_soup()))
def test_fold_is_a_caseless_key(text: str) -> None:
    key = fold(text)
    assert fold(key) == key
    assert fold(nfd(text)) == key == fold(unicodedata.normalize("NFC", text))
    assert not any(unicodedata.category(ch) in ("Mn", "Cf") for ch in key)
    assert key == key.strip() and "  " not in key


@examples(200)
@given(name=vietnamese_name())
def test_every_spelling_of_a_real_name_is_accepted(name: str) -> None:
    assert clean_text("name", name, required=True, max_len=150) == clean_line(name)


@pytest.mark.parametrize(
    "text",
    [
        "\u0301Nguyễn",  # a mark on nothing
        "Nguyễn \u0301Văn",  # a mark on a space
        "a\u0300\u0301\u0303\u0309",  # NFC: à and three marks piled on it
        "Z\u0336\u0334\u0337a\u0338lgo",  # "Zalgo"
        "(\u0301)",  # a mark on punctuation
    ],
)
def test_stray_and_piled_marks_are_refused(text: str) -> None:
    assert find_stray_mark(text) is not None
    with pytest.raises(ValidationError) as caught:
        clean_text("address", text, required=False, max_len=250)
    assert list(caught.value.fields) == ["address"]
    assert "dấu" in caught.value.fields["address"]


@pytest.mark.parametrize(
    "text", ["Nguyễn Thị Thu Hà", nfd("Đặng Văn Đức"), "Y Ŭ", "ǹ", "e\u0302\u0301"]
)
def test_marks_on_letters_are_kept(text: str) -> None:
    assert find_stray_mark(text) is None


@pytest.mark.parametrize("name", ["123", "...", "-", "1.004873", "🙂"])
def test_a_name_needs_a_letter(name: str) -> None:
    applicant = ApplicantInput(name=name, id_number="001090012345")
    with pytest.raises(ValidationError) as caught:
        validate_applicant(applicant, today=date(2026, 11, 25))
    assert list(caught.value.fields) == ["name"]
    organisation = ApplicantInput(name=name, kind=ApplicantKind.ORGANISATION, tax_code="0101234567")
    with pytest.raises(ValidationError) as caught:
        validate_applicant(organisation, today=date(2026, 11, 25))
    assert caught.value.fields["name"].startswith("Tên tổ chức")
