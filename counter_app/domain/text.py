"""Vietnamese text: NFC on the way in, folded keys for search.

Folding is done in Python because SQLite's ``remove_diacritics`` leaves đ alone, and
"Đức" must find "duc".
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Control characters (Cc), format characters (Cf: bidi overrides, zero-width joiners...)
# and private-use/unassigned code points never belong in a citizen's record.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})
_MARKS = frozenset({"Mn", "Mc", "Me"})
# Composed Vietnamese needs no combining mark at all; a few letters of other languages
# (and of minority-language names) need one or two. More on one letter is "Zalgo" text.
MAX_MARKS_PER_LETTER = 2
# Every way a D with a stroke reaches us: Đ/đ, and the look-alikes old TCVN3/VNI
# converters and some fonts' input produce (Ð U+00D0 Icelandic eth, Ɖ U+0189 African D).
_D_WITH_STROKE = str.maketrans(dict.fromkeys("ĐđÐðƉɖ", "d"))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_line(text: str) -> str:
    """NFC, trimmed, inner runs of white space collapsed to one space."""
    return _SPACES.sub(" ", nfc(text)).strip()


def find_refused_char(text: str) -> str | None:
    """The first control/format character in ``text`` (tab and newline excluded), if any."""
    for ch in text:
        if ch in "\t\n\r":
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return ch
    return None


def find_stray_mark(text: str) -> str | None:
    """The first combining mark of ``text`` (NFC) that stands on no letter (at the start,
    after a space or punctuation) or is piled more than ``MAX_MARKS_PER_LETTER`` high on
    one, if any. Such marks print as floating accents or over the line above."""
    run = 0
    base_ok = False
    for ch in nfc(text):
        if unicodedata.category(ch) in _MARKS:
            run += 1
            if not base_ok or run > MAX_MARKS_PER_LETTER:
                return ch
        else:
            run = 0
            base_ok = ch.isalnum()
    return None


def fold(text: str) -> str:
    """Search key: no tone or vowel marks, đ→d, lower case, single spaces.

    Tone placement ("hoà" vs "hòa") disappears with the marks, so both fold alike. The
    look-alikes of Đ fold to d too, and invisible format characters (zero-width spaces, a
    byte-order mark, a soft hyphen pasted along with a name) are dropped.
    """
    # NFD, casefold, NFD: Unicode's canonical caseless form, so composed and decomposed
    # input fold alike whatever letters they hold.
    folded = unicodedata.normalize("NFD", text).casefold().translate(_D_WITH_STROKE)
    decomposed = unicodedata.normalize("NFD", folded)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Cf"))
    return _SPACES.sub(" ", kept).strip()
