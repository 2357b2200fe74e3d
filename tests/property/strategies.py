"""Hypothesis strategies for bad (and good) input, and the budget of the property tests.

What a clerk's keyboard, a scanner, a paste from a chat app or a file from another system
can put in a field: Vietnamese names composed (NFC), decomposed (NFD, macOS), half
decomposed (Unikey's "Unicode tổ hợp"), old and new tone placement, upper case, odd
spaces; and the hostile rest: combining-mark soup, C0/C1 controls, bidi overrides,
zero-width characters, 10,000-character strings, any Unicode, wrong identity numbers,
wrong dates and empty values.

Budget: every test takes ``examples(n)`` as its settings. By default (CI) each test runs
its own ``n`` examples, derandomized (the same examples on every run), and the folder stays
within about a minute on two cores. ``COUNTER_APP_PROPERTY_EXAMPLES=1000`` runs every test
with 1000 random examples (README: the longer run).
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from counter_app.domain.identity import PROVINCE_CODES, Sex, century_sex_digit

# --------------------------------------------------------------------------- budget

_LONG_RUN = os.environ.get("COUNTER_APP_PROPERTY_EXAMPLES", "").strip()
LONG_RUN = int(_LONG_RUN) if _LONG_RUN else 0

settings.register_profile(
    "counter-property-ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
settings.register_profile(
    "counter-property-long",
    parent=settings.get_profile("counter-property-ci"),
    derandomize=False,
)
PROFILE = settings.get_profile("counter-property-long" if LONG_RUN else "counter-property-ci")


def examples(default: int, *, cap: int | None = None) -> settings:
    """The settings of one property test: ``default`` examples in CI, or the long run's
    (at most ``cap``: a test that starts a process per example)."""
    wanted = LONG_RUN or default
    return settings(PROFILE, max_examples=min(wanted, cap) if cap else wanted)


# --------------------------------------------------------------------------- open bugs

# Bugs found outside tests/property and not fixed yet. While one is listed here the
# strategies and checks step around it, so the rest of the folder keeps guarding; each has
# a strict-xfail regression test in test_service_inputs.py / test_cli_inputs.py that starts
# failing (XPASS) the day it is fixed: then delete its entry here.
OPEN_BUGS: dict[str, str] = {
    "moment-overflow": (
        "domain/clock.py:34 to_vn, and every service that takes a moment (intake.py:80/168, "
        "tracking.py:66/328, complaints.py:198, board.py:80): an aware datetime near "
        "datetime.max/min (year 9999 UTC, year 1 -05:00) raises OverflowError; naive "
        "9999-12-31 overflows in deadlines.py:90."
    ),
    "day-overflow": (
        "reports.py:148 _add_years raises ValueError for a period ending after 9989; "
        "forms.py:161 register_data and dossiers.py:178 received_on raise OverflowError "
        "for 9999-12-31 (date + 1 day)."
    ),
    "huge-int-message": (
        "domain/catalogue.py:107/139 and domain/calendar.py:79/109 put a JSON integer of "
        "more than 4300 digits into a message: ValueError (int->str limit)."
    ),
    "sqlite-int-overflow": (
        "search.py:96 offset, complaints.py:321 limit/offset, board.py:155 offset/limit, "
        "dossiers.py:186 limit: an int above 2**63-1 reaches SQLite: OverflowError."
    ),
    "catalogue-text": (
        "domain/catalogue.py:88 _text: no length limit (a 10,000-character procedure name, "
        "document name or fee description is stored), no stray-mark check; "
        "domain/catalogue.py:20 PROCEDURE_CODE uses \\d: Arabic-Indic digits pass."
    ),
    "sync-config": (
        "sync/state.py:68 save_config: no check of port, IPv6 brackets, host (IDNA), length, "
        "control characters in URL/token/CA path; client.py:70/78 then raise ValueError "
        "(port, NUL in CA path) and client.py:112 UnicodeEncodeError/ValueError (token)."
    ),
    "hub-text": (
        "sync/pull.py:36-62 and :99-108 store what the hub sends as it comes: the change's "
        "ref, the actor, unit and note of a status (not NFC, control and bidi characters, "
        "no length limit), and sync issues quote them."
    ),
    "intake-free-text": (
        "intake.py:140 _validate_documents: document names have no length limit and no "
        "stray-mark check; intake.py:236 submission_id is stored with control characters."
    ),
    "duplicate-tax-code": (
        "intake.py:88-91 _same_applicant compares the tax code as typed: '0101234567001' "
        "(13 digits, no dash) misses the dossier stored as '0101234567-001' (what "
        "validate_tax_code makes of it), so the same organisation is received twice."
    ),
    # The command line (test_cli_inputs.py).
    "cli-json-file": (
        "cli.py:47 _read_json_file catches JSONDecodeError only: a file nested deeper than the "
        "recursion limit (RecursionError) or holding an integer of more than 4300 digits "
        "(ValueError) ends in a traceback (catalogue import, calendar import, hub publish-*)."
    ),
    "cli-documents-digit": (
        "cli.py:262 _documents_arg: '²'.isdigit() is true but int('²') raises ValueError "
        "(traceback); '١' (Arabic-Indic one) is taken as 1."
    ),
    "cli-surrogate-args": (
        "An argument that is not valid UTF-8 (Python keeps it as a lone surrogate) reaches "
        "SQLite: dossiers.py:53 find_row raises UnicodeEncodeError (show, receipt, status, "
        "handover, return, form)."
    ),
    "cli-sync-timeout": (
        "cli_sync.py --timeout takes any float: nan, -1 and inf reach client.py:112 "
        "(ValueError / OverflowError, traceback)."
    ),
    "cli-home-not-dir": (
        "--home naming a file, or a path too long for the file system: cli.py _open -> "
        "paths.py:42 mkdir / store/encryption.py:609 raise FileExistsError, "
        "NotADirectoryError or OSError outside open_database's StorageError (traceback)."
    ),
    "report-pdf-write": (
        "documents/report_pdf.py write_report_pdf (cli_tracking.py cmd_report --pdf): an "
        "OSError (missing folder, name too long, no permission) is not turned into a "
        "KnownError as report_xlsx.py does for --xlsx (traceback)."
    ),
    "backup-long-path": (
        "store/backup.py:368 make_backup: folder.is_dir() raises OSError (errno 36, name too "
        "long) instead of returning False, outside _folder_error (backup --to, traceback)."
    ),
    "cli-argparse-english": (
        "cli.py build_parser: argparse's own refusals (missing option, invalid int, invalid "
        "choice) print 'usage: … error: argument --sets: invalid int value' in English."
    ),
}


def bug_open(key: str) -> bool:
    return key in OPEN_BUGS


# --------------------------------------------------------------------------- characters

C0 = (*(chr(c) for c in range(0x00, 0x20)), "\x7f")
C1 = tuple(chr(c) for c in range(0x80, 0xA0))
BIDI = (
    "\u202a",  # LRE
    "\u202b",  # RLE
    "\u202c",  # PDF
    "\u202d",  # LRO
    "\u202e",  # RLO: "Nguyễn\u202eVăn" shows reversed
    "\u2066",  # LRI
    "\u2067",  # RLI
    "\u2068",  # FSI
    "\u2069",  # PDI
    "\u200e",  # LRM
    "\u200f",  # RLM
    "\u061c",  # ALM
)
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
# Characters a record never holds: controls (tab, newline and CR only as spaces), format,
# private use and unassigned code points.
OTHER_REFUSED = ("\ue000", "\U000f0000", "\u0378", "\ufffe", "\uffff")
REFUSED = tuple(c for c in C0 if c not in "\t\n\r") + C1 + BIDI + ZERO_WIDTH + OTHER_REFUSED
ODD_SPACES = (
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\u00a0",  # no-break space (Word, web forms)
    "\u2002",
    "\u2003",
    "\u2009",
    "\u202f",
    "\u3000",
    "\u2028",
    "\u2029",
)
EMPTY_VALUES = ("", " ", "   ", "\t", "\n", "\r\n", "\u00a0", "\u3000", " \u2003 \t")
VIETNAMESE_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng

# --------------------------------------------------------------------------- Vietnamese

FULL_NAMES = (
    "Nguyễn Thị Thu Hà",
    "Đặng Văn Đức",
    "Trương Thị Thuỳ Dương",
    "Trần Quốc Toản",
    "Lê Hoàng Yến",
    "Phạm Minh Khuê",
    "Hoàng Thị Hoà",
    "Huỳnh Ngọc Thuý",
    "Vũ Đình Khoẻ",
    "Võ Thị Ánh Tuyết",
    "Phan Văn Khải",
    "Bùi Thị Xuân",
    "Đỗ Mạnh Hùng",
    "Hồ Thị Hương",
    "Ngô Bảo Châu",
    "Dương Thị Ngọc Hoá",
    "Lý Thường Kiệt",
    "Đinh Tiên Hoàng",
    "Lương Thế Vinh",
    "Tô Thị Thuỷ",
    "Trịnh Công Sơn",
    "Mai Thị Thoả",
    "Chu Văn An",
    "Quách Thị Quý",
    "Nông Văn Dền",
    "Hà Thị Uyên",
    "Kiều Thị Loan",
    "Giáp Văn Nghĩa",
    "Thái Thị Tuỳ Anh",
    "Lạc Long Quân",
    "Âu Cơ",
    "Ông Ích Khiêm",
    "Ưng Hoàng Phúc",
    "Ngọ Văn Ước",
    "Y Khoa Niê",
)

# Old (1960s school) vs new (1980 rule) tone placement in the open syllables oa, oe, uy:
# "hòa" vs "hoà". "qu" and "gi" are consonants: "quý" has one vowel and no variant.
_TONE_VOWEL = {
    "a": "àáảãạ",
    "e": "èéẻẽẹ",
    "y": "ỳýỷỹỵ",
    "A": "ÀÁẢÃẠ",
    "E": "ÈÉẺẼẸ",
    "Y": "ỲÝỶỸỴ",
}
_TONE_FIRST = {"o": "òóỏõọ", "u": "ùúủũụ", "O": "ÒÓỎÕỌ", "U": "ÙÚỦŨỤ"}
_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    """Fully decomposed, as macOS file names and some Android keyboards give it."""
    return unicodedata.normalize("NFD", text)


def unikey_combining(text: str) -> str:
    """Unikey's "Unicode tổ hợp": the letters â ê ô ơ ư ă đ precomposed, the five tone
    marks as combining characters after them."""
    out: list[str] = []
    for ch in nfc(text):
        parts = nfd(ch)
        base = "".join(c for c in parts if c not in VIETNAMESE_TONES)
        tones = "".join(c for c in parts if c in VIETNAMESE_TONES)
        out.append(nfc(base) + tones)
    return "".join(out)


def _move_tone(text: str, to_first: bool) -> str:
    chars = list(nfc(text))
    for i in range(len(chars) - 1):
        a, b = chars[i], chars[i + 1]
        after = chars[i + 2] if i + 2 < len(chars) else ""
        before = chars[i - 1] if i > 0 else ""
        if after.isalpha() or before.lower() == "q":
            continue  # closed syllable ("hoàng") or "qu": the mark never moves
        base_a, base_b = nfd(a)[0], nfd(b)[0]
        if (base_a.lower(), base_b.lower()) not in _PAIRS:
            continue
        if to_first and b in _TONE_VOWEL.get(base_b, "") and a == base_a:
            tone = _TONE_VOWEL[base_b].index(b)
            chars[i], chars[i + 1] = _TONE_FIRST[base_a][tone], base_b
        elif not to_first and a in _TONE_FIRST.get(base_a, "") and b == base_b:
            tone = _TONE_FIRST[base_a].index(a)
            chars[i], chars[i + 1] = base_a, _TONE_VOWEL[base_b][tone]
    return "".join(chars)


def old_tone(text: str) -> str:
    """ "hoà" -> "hòa", "Thuý" -> "Thúy", "khoẻ" -> "khỏe"."""
    return _move_tone(text, to_first=True)


def new_tone(text: str) -> str:
    """ "hòa" -> "hoà", "Thúy" -> "Thuý"."""
    return _move_tone(text, to_first=False)


def odd_spacing(text: str, space: str = "\u00a0") -> str:
    return f" {space}" + re.sub(" ", f"{space} ", text) + "\t "


VARIANTS = {
    "nfc": nfc,
    "nfd": nfd,
    "unikey_combining": unikey_combining,
    "old_tone": old_tone,
    "new_tone": new_tone,
    "upper": lambda t: nfc(t).upper(),
    "lower": lambda t: nfc(t).lower(),
    "upper_nfd": lambda t: nfd(t.upper()),
    "nbsp": odd_spacing,
    "old_tone_nfd": lambda t: nfd(old_tone(t)),
}


@st.composite
def vietnamese_name(draw: st.DrawFn) -> str:
    """A real full name in one of the ways keyboards and systems write it."""
    name = draw(st.sampled_from(FULL_NAMES))
    variant = draw(st.sampled_from(sorted(VARIANTS)))
    return str(VARIANTS[variant](name))


SYLLABLES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Thị",
    "Văn",
    "Hữu",
    "Đức",
    "Minh",
    "Thu",
    "Hà",
    "Hoà",
    "Hòa",
    "Thuỷ",
    "Thủy",
    "Khoẻ",
    "Khỏe",
    "Tuyết",
    "Hương",
    "Quý",
    "Nghĩa",
    "Ước",
    "Yến",
    "Ánh",
    "Ngọc",
]


def syllable_name() -> st.SearchStrategy[str]:
    """A made-up but well-formed Vietnamese name of 2–5 syllables."""
    return st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=5).map(" ".join)


# --------------------------------------------------------------------------- hostile text


def long_text(size: int = 10_000) -> st.SearchStrategy[str]:
    """Strings of ``size`` characters (Vietnamese, plain, decomposed or marks only)."""
    seeds = st.sampled_from(["a", "Nguyễn Văn Đức ", nfd("Ệ"), "\u0301", "𝔸", "0"])
    return seeds.map(lambda seed: (seed * (size // len(seed) + 1))[:size])


def combining_soup(max_size: int = 60) -> st.SearchStrategy[str]:
    """Combining marks with or without a base: "a̴̡̼̥͌̈́", a lone U+0301, marks only."""
    marks = st.characters(categories=["Mn", "Me", "Mc"])
    return st.builds(
        lambda base, soup: base + soup,
        st.sampled_from(["", "a", "Nguyễn", "đ", " "]),
        st.text(alphabet=marks, min_size=1, max_size=max_size),
    )


def any_text(max_size: int = 80) -> st.SearchStrategy[str]:
    """Any Unicode a UTF-8 file or keyboard can carry (no lone surrogates)."""
    return st.text(alphabet=st.characters(codec="utf-8"), max_size=max_size)


@st.composite
def with_inserted(draw: st.DrawFn, base: st.SearchStrategy[str], chars: tuple[str, ...]) -> str:
    text = draw(base)
    where = draw(st.integers(0, len(text)))
    return text[:where] + draw(st.sampled_from(chars)) + text[where:]


def refused_text() -> st.SearchStrategy[str]:
    """A name with one character no record may hold (control, bidi, zero-width…)."""
    return with_inserted(vietnamese_name(), REFUSED)


def hostile_text(max_size: int = 80) -> st.SearchStrategy[str]:
    """Everything bad (and some good) a text field may receive."""
    return st.one_of(
        vietnamese_name(),
        syllable_name(),
        st.sampled_from(EMPTY_VALUES),
        refused_text(),
        with_inserted(vietnamese_name(), ODD_SPACES),
        combining_soup(),
        any_text(max_size),
        long_text(),
        long_text(201),
        long_text(1001),
        st.lists(st.sampled_from(C0 + C1 + BIDI + ZERO_WIDTH + ODD_SPACES), max_size=8).map(
            "".join
        ),
    )


# --------------------------------------------------------------------------- identity

TODAY = date(2026, 11, 25)  # tests/conftest.py TEST_NOW


@st.composite
def valid_cccd(draw: st.DrawFn) -> tuple[str, date, Sex]:
    """A 12-digit CCCD that agrees with its holder's date of birth and sex (DOMAIN.md §6)."""
    dob = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sex = draw(st.sampled_from(list(Sex)))
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    tail = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    number = f"{province}{century_sex_digit(dob, sex)}{dob.year % 100:02d}{tail}"
    return number, dob, sex


_BAD_PROVINCES = tuple(f"{n:03d}" for n in range(1000) if f"{n:03d}" not in PROVINCE_CODES)


@st.composite
def wrong_cccd(draw: st.DrawFn) -> str:
    """An identity number ``validate_cccd`` must refuse whatever the date of birth."""
    number, _dob, _sex = draw(valid_cccd())
    kind = draw(
        st.sampled_from(
            ["short", "long", "letter", "fullwidth", "arabic", "province", "inner_space", "sign"]
        )
    )
    if kind == "short":
        return number[: draw(st.integers(1, 11))]
    if kind == "long":
        return number + draw(st.text(alphabet="0123456789", min_size=1, max_size=5))
    if kind == "letter":
        where = draw(st.integers(0, 11))
        letter = draw(st.sampled_from("aOlIđ"))
        return number[:where] + letter + number[where + 1 :]
    if kind == "fullwidth":  # a Japanese/Chinese IME
        return number.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if kind == "arabic":  # Python's isdigit() says yes
        return number.translate({ord(d): 0x0660 + int(d) for d in "0123456789"})
    if kind == "province":
        return draw(st.sampled_from(_BAD_PROVINCES)) + number[3:]
    if kind == "inner_space":
        return f"{number[:3]} {number[3:6]} {number[6:]}"
    return "+" + number


@st.composite
def mismatched_cccd(draw: st.DrawFn) -> tuple[str, date, Sex]:
    """A well-formed CCCD whose year digits or century/sex digit contradict the holder."""
    number, dob, sex = draw(valid_cccd())
    if draw(st.booleans()):
        year = f"{(dob.year + draw(st.integers(1, 99))) % 100:02d}"
        return number[:4] + year + number[6:], dob, sex
    wrong = draw(st.sampled_from([d for d in "0123456789" if int(d) != int(number[3])]))
    return number[:3] + wrong + number[4:], dob, sex


def any_cccd() -> st.SearchStrategy[str]:
    return st.one_of(
        valid_cccd().map(lambda t: t[0]),
        wrong_cccd(),
        st.sampled_from(EMPTY_VALUES),
        st.text(alphabet="0123456789 -.", max_size=16),
        hostile_text(30),
    )


def valid_tax_code() -> st.SearchStrategy[str]:
    ten = st.text(alphabet="0123456789", min_size=10, max_size=10)
    three = st.text(alphabet="0123456789", min_size=3, max_size=3)
    return st.one_of(
        ten, st.builds(lambda a, b: f"{a}-{b}", ten, three), st.builds(str.__add__, ten, three)
    )


def any_tax_code() -> st.SearchStrategy[str]:
    return st.one_of(
        valid_tax_code(),
        st.text(alphabet="0123456789-", max_size=16),
        st.sampled_from(["0101234567-01", "01012-34567001", "０１０１２３４５６７", "٠١٠١٢٣٤٥٦٧"]),
        st.sampled_from(EMPTY_VALUES),
        hostile_text(20),
    )


# --------------------------------------------------------------------------- dates

EXTREME_ZONES = (
    UTC,
    timezone(timedelta(hours=7)),
    timezone(timedelta(hours=-12)),
    timezone(timedelta(hours=14)),
    timezone(timedelta(hours=23, minutes=59)),
    timezone(timedelta(hours=-23, minutes=-59)),
)


def any_day() -> st.SearchStrategy[date]:
    """Any date Python can hold, weighted to the edges."""
    if bug_open("day-overflow"):
        low, high = date(1, 1, 1), date(9979, 12, 31)
    else:
        low, high = date.min, date.max
    return st.one_of(
        st.dates(min_value=low, max_value=high),
        st.sampled_from(
            [
                low,
                high,
                date(1899, 12, 31),
                date(1900, 1, 1),
                TODAY,
                TODAY + timedelta(days=1),
                date(2100, 12, 31),
                date(2101, 1, 1),
                date(2024, 2, 29),
            ]
        ),
        st.dates(min_value=TODAY - timedelta(days=800), max_value=TODAY + timedelta(days=800)),
    )


def any_dob() -> st.SearchStrategy[date | None]:
    return st.one_of(st.none(), any_day())


def any_moment() -> st.SearchStrategy[datetime | None]:
    """None (now), or a moment anywhere: naive or aware, any offset, year 1 to 9999."""
    near = st.datetimes(
        min_value=datetime(2026, 8, 1), max_value=datetime(2027, 2, 1), timezones=st.none()
    )
    if bug_open("moment-overflow"):
        low, high = datetime(2, 1, 1), datetime(9998, 12, 31)
        edges = [low, high, low.replace(tzinfo=EXTREME_ZONES[5]), high.replace(tzinfo=UTC)]
    else:
        low, high = datetime.min, datetime.max
        edges = [
            low,
            high,
            low.replace(tzinfo=EXTREME_ZONES[5]),
            high.replace(tzinfo=UTC),
            high.replace(tzinfo=EXTREME_ZONES[2]),
        ]
    return st.one_of(
        st.none(),
        st.datetimes(min_value=low, max_value=high),
        st.datetimes(min_value=low, max_value=high, timezones=st.sampled_from(EXTREME_ZONES)),
        near,
        near.map(lambda d: d.replace(tzinfo=EXTREME_ZONES[1])),
        st.sampled_from([*edges, datetime(2026, 11, 25, 9, 0), datetime(2026, 11, 25, 8, 59)]),
    )


def any_int() -> st.SearchStrategy[int]:
    """Small, edge and huge integers (a spin box, a CLI option, a JSON file)."""
    return st.one_of(
        st.integers(-3, 12),
        st.integers(),
        st.sampled_from([-(2**63), 2**63, 2**64, 10**30, 999, 1000, 100, 99]),
    )


def paging_int() -> st.SearchStrategy[int]:
    """A page size or offset as the UI computes it (huge ones only without the open bug)."""
    if bug_open("sqlite-int-overflow"):
        return st.one_of(st.integers(-5, 300), st.integers(-(2**62), 2**62))
    return st.one_of(st.integers(-5, 300), any_int())


# --------------------------------------------------------------------------- hostile JSON

_HUGE_INT = 10**5000  # more digits than int->str allows (Python 3.11: 4300)


def json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from(
            [2**63, 0, -1] if bug_open("huge-int-message") else [_HUGE_INT, -_HUGE_INT, 2**63]
        ),
        st.floats(allow_nan=True, allow_infinity=True),
        hostile_text(40),
    )


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    return st.recursive(
        json_scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=8), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def deep_json(depth: int = 5000) -> Any:
    """[[[…]]] deeper than the recursion limit."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


# --------------------------------------------------------------------------- messages

VIETNAMESE_LETTERS = frozenset(
    "ăâđêôơưĂÂĐÊÔƠƯ"
    + "".join(
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for tone in VIETNAMESE_TONES
    )
)


def is_vietnamese(message: str) -> bool:
    """True if the message is written in Vietnamese (it has letters only Vietnamese has)."""
    return any(ch in VIETNAMESE_LETTERS for ch in unicodedata.normalize("NFC", message))


# --------------------------------------------------------------------------- good values

ADDRESSES = (
    "Thôn 3, xã An Hòa, huyện Hòa Vang, TP Đà Nẵng",
    "Số 12 ngõ 34 phố Huế, phường Phố Huế, quận Hai Bà Trưng, Hà Nội",
    "Tổ 5, phường Thuỷ Xuân, TP Huế",
    "Ấp Mỹ Lợi, xã Mỹ Hoà, huyện Cầu Kè, tỉnh Trà Vinh",
    "",
)
PHONES = ("0912345678", "+84 912 345 678", "84912345678", "024.3825.1234", "(028) 3829 1234", "")
EMAILS = ("", "lan.nt@gmail.com", "ubnd.anhoa@danang.gov.vn")
SENTENCES = (
    "Thiếu bản sao giấy khai sinh của người con.",
    "Công dân xin rút hồ sơ để bổ sung giấy tờ.",
    "Hồ sơ cần xác nhận của trưởng thôn về nơi cư trú.",
    "Kết quả chậm do chờ ý kiến của phòng Tư pháp huyện.",
    "Giấy tờ bị mờ, đề nghị nộp lại bản rõ hơn; khoẻ mạnh, hoà thuận, tuỳ ý.",
    "",
)
PARTIES = (
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Địa chính - Xây dựng",
    "Công an xã",
    "Chủ tịch UBND xã",
    "Phòng Tư pháp huyện Hòa Vang",
)


def spelled(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    """One of ``values`` in any of the ways a keyboard writes Vietnamese."""
    return st.builds(
        lambda text, variant: str(VARIANTS[variant](text)),
        st.sampled_from(values),
        st.sampled_from(["nfc", "nfc", "nfd", "unikey_combining", "old_tone", "upper", "nbsp"]),
    )


def good_phone() -> st.SearchStrategy[str]:
    return st.sampled_from(PHONES)


def good_moment() -> st.SearchStrategy[datetime | None]:
    """Now, or a moment of the last days (a paper record entered after an outage)."""
    return st.one_of(
        st.none(),
        st.datetimes(min_value=datetime(2026, 11, 20, 7), max_value=datetime(2026, 11, 25, 9)),
    )


@st.composite
def some_spoiled(
    draw: st.DrawFn,
    good: dict[str, st.SearchStrategy[Any]],
    bad: dict[str, st.SearchStrategy[Any]],
) -> dict[str, Any]:
    """Values for every key of ``good``: none, one or two of them, or all, drawn from
    ``bad`` instead. A request spoiled everywhere is always refused; one spoiled in a single
    field tells whether that field's check works and nothing else refuses the request."""
    keys = sorted(good)
    spoil = draw(
        st.one_of(
            st.just(frozenset[str]()),
            st.frozensets(st.sampled_from(keys), min_size=1, max_size=2),
            st.just(frozenset(keys)),
        )
    )
    return {key: draw(bad[key] if key in spoil else good[key]) for key in keys}
