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


def fold(text: str) -> str:
    """Search key: no tone or vowel marks, đ→d, lower case, single spaces.

    Tone placement ("hoà" vs "hòa") disappears with the marks, so both fold alike.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.casefold()).strip()
