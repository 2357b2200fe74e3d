"""Search keys: what a clerk types without marks finds the name with them."""

from __future__ import annotations

import unicodedata

import pytest

from counter_app.domain.text import clean_line, fold


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("nguyen van duc", "Nguyễn Văn Đức"),
        ("dang ky khai sinh", "Đăng ký khai sinh"),
        ("hoa", "hoà"),
        ("hoa", "hòa"),
        ("THUY", "Thúy"),
        ("thuy", "Thuý"),
        ("le   thi", "Lê Thị"),
    ],
)
def test_fold_matches(typed: str, stored: str) -> None:
    assert fold(typed) == fold(stored)
    assert fold(typed) == fold(unicodedata.normalize("NFD", stored))


def test_old_and_new_tone_placement_fold_alike() -> None:
    assert fold("hoà") == fold("hòa") == "hoa"
    assert fold("Khoẻ") == fold("Khỏe")


def test_clean_line_is_nfc_and_collapses_spaces() -> None:
    text = clean_line(unicodedata.normalize("NFD", "  Phạm \t Thị   Ánh "))
    assert text == "Phạm Thị Ánh"
    assert unicodedata.is_normalized("NFC", text)
