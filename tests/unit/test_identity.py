"""Applicant validation: what the clerk is told, and what gets stored."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from counter_app.domain.identity import (
    ApplicantInput,
    ApplicantKind,
    Sex,
    validate_applicant,
    validate_cccd,
    validate_phone,
    validate_tax_code,
)
from counter_app.errors import ValidationError

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("number", "dob", "sex"),
    [
        ("001090012345", date(1990, 5, 1), Sex.MALE),  # Hà Nội, 1900s male
        ("079185000123", date(1985, 1, 2), Sex.FEMALE),  # HCM, 1900s female
        ("036205001234", date(2005, 7, 9), Sex.MALE),  # 2000s male -> 2
        ("001305001234", date(2005, 7, 9), Sex.FEMALE),  # 2000s female -> 3
        ("096099999999", None, None),  # no dob: only the shape is checked
        ("001090012345", date(1990, 5, 1), None),  # century agrees, sex unknown
    ],
)
def test_valid_cccd(number: str, dob: date | None, sex: Sex | None) -> None:
    assert validate_cccd(number, dob=dob, sex=sex) == number


@pytest.mark.parametrize(
    ("number", "dob", "sex", "fragment"),
    [
        ("00109001234", None, None, "đúng 12 chữ số"),
        ("0010900123456", None, None, "đúng 12 chữ số"),
        ("00109001234a", None, None, "đúng 12 chữ số"),
        ("００１０９００１２３４５", None, None, "đúng 12 chữ số"),  # full-width digits
        ("", None, None, "không được để trống"),
        ("097090012345", None, None, "mã tỉnh"),
        ("001091012345", date(1990, 5, 1), Sex.MALE, "năm sinh 1990"),
        ("001190012345", date(1990, 5, 1), Sex.MALE, "chữ số thứ 4"),  # says female
        ("001290012345", date(1990, 5, 1), None, "thế kỷ"),  # 2000s digit, born 1990
    ],
)
def test_refused_cccd_names_the_field(
    number: str, dob: date | None, sex: Sex | None, fragment: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_cccd(number, dob=dob, sex=sex)
    assert list(caught.value.fields) == ["id_number"]
    message = caught.value.fields["id_number"]
    assert message.startswith("Số định danh cá nhân (CCCD)")
    assert fragment in message


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0101234567", "0101234567"),
        ("0101234567-001", "0101234567-001"),
        ("0101234567001", "0101234567-001"),
    ],
)
def test_tax_codes(raw: str, stored: str) -> None:
    assert validate_tax_code(raw) == stored


@pytest.mark.parametrize("raw", ["010123456", "01012345678", "0101234567-01", "abcdefghij"])
def test_bad_tax_codes(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_tax_code(raw)
    assert "Mã số thuế" in caught.value.fields["tax_code"]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("", ""),
    ],
)
def test_phones(raw: str, stored: str) -> None:
    assert validate_phone(raw) == stored


@pytest.mark.parametrize("raw", ["912345678", "09123456", "0912abc678", "+1 555 123 4567"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_phone(raw)
    assert "Số điện thoại" in caught.value.fields["phone"]


def test_applicant_text_is_stored_nfc_and_trimmed() -> None:
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Thị Hoà  ")
    applicant = validate_applicant(
        ApplicantInput(
            name=decomposed,
            id_number="001190012345",
            dob=date(1990, 1, 1),
            sex=Sex.FEMALE,
            address=unicodedata.normalize("NFD", "Thôn Đông"),
        ),
        today=TODAY,
    )
    assert applicant.name == "Nguyễn Thị Hoà"
    assert unicodedata.is_normalized("NFC", applicant.name)
    assert applicant.address == "Thôn Đông"


@pytest.mark.parametrize("bad", ["Nguyễn\x00Văn", "Lê\u202eVăn", "Trần\x1bA", "A\u200bB"])
def test_control_and_bidi_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_applicant(ApplicantInput(name=bad, id_number="001090012345"), today=TODAY)
    assert "Họ và tên" in caught.value.fields["name"]
    assert "ký tự điều khiển" in caught.value.fields["name"]


def test_every_refusal_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_applicant(
            ApplicantInput(name="  ", id_number="123", phone="12", email="x@"), today=TODAY
        )
    assert set(caught.value.fields) == {"name", "id_number", "phone", "email"}


def test_organisation_uses_tax_code_not_cccd() -> None:
    applicant = validate_applicant(
        ApplicantInput(
            name="Công ty TNHH Hòa Bình", kind=ApplicantKind.ORGANISATION, tax_code="0101234567"
        ),
        today=TODAY,
    )
    assert applicant.identifier == "0101234567"
    assert applicant.id_number == ""
    assert applicant.id_label == "Mã số thuế: 0101234567"


def test_future_birth_date_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_applicant(
            ApplicantInput(name="Bé Na", id_number="001326012345", dob=date(2026, 12, 1)),
            today=TODAY,
        )
    assert "Ngày sinh" in caught.value.fields["dob"]


def test_overlong_name_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_applicant(ApplicantInput(name="A" * 151, id_number="001090012345"), today=TODAY)
    assert "tối đa 150" in caught.value.fields["name"]


def test_sex_without_birth_date_is_still_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_cccd("001090012345", sex=Sex.FEMALE)
    assert "giới tính" in caught.value.fields["id_number"]
    assert validate_cccd("001190012345", sex=Sex.FEMALE) == "001190012345"


def test_unknown_province_code_refused() -> None:
    # 003 was never a province code (Thông tư 07/2016/TT-BCA skips it).
    with pytest.raises(ValidationError) as caught:
        validate_cccd("003090012345")
    assert "mã tỉnh" in caught.value.fields["id_number"]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("+84 0912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("024 3825 3535", "02438253535"),
    ],
)
def test_more_phone_shapes(raw: str, stored: str) -> None:
    assert validate_phone(raw) == stored


def test_phone_with_control_character_refused() -> None:
    with pytest.raises(ValidationError):
        validate_phone("0912\x1c345678")


def test_organisation_name_errors_say_ten_to_chuc() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_applicant(
            ApplicantInput(name="", kind=ApplicantKind.ORGANISATION, tax_code="0101234567"),
            today=TODAY,
        )
    assert caught.value.fields["name"].startswith("Tên tổ chức")
