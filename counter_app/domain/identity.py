"""Who is applying: citizens by CCCD (12 digits), organisations by tax code (DOMAIN.md §6).

Each check returns the cleaned value or raises ``ValidationError`` with a Vietnamese
message that names the field, so the form can show it next to the right box.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from counter_app.domain.text import clean_line, find_refused_char, find_stray_mark
from counter_app.errors import ValidationError

_DIGITS = re.compile(r"\d+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

T = TypeVar("T")

MAX_NAME = 150

# Province codes of birth registration (Thông tư 07/2016/TT-BCA, 63 provinces): digits 1–3.
PROVINCE_CODES = frozenset(
    {
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019",
        "020", "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036",
        "037", "038", "040", "042", "044", "045", "046", "048", "049", "051", "052", "054",
        "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
        "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
        "094", "095", "096",
    }
)  # fmt: skip
MAX_ADDRESS = 250
MAX_EMAIL = 254


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class ApplicantKind(StrEnum):
    CITIZEN = "citizen"
    ORGANISATION = "organisation"


FIELD_LABELS = {
    "name": "Họ và tên",
    "id_number": "Số định danh cá nhân (CCCD)",
    "tax_code": "Mã số thuế",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "address": "Địa chỉ",
    "phone": "Số điện thoại",
    "email": "Email",
    "agency_name": "Tên cơ quan",
    "place_name": "Địa danh",
    "clerk_name": "Họ tên cán bộ tiếp nhận",
}


def _label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def clean_text(
    field: str, value: str, *, required: bool, max_len: int, label: str | None = None
) -> str:
    """NFC, trimmed, no control characters, within ``max_len``; names the field on refusal
    (``label``, or the field's entry in FIELD_LABELS)."""
    name = label or _label(field)
    bad = find_refused_char(value)
    if bad is not None:
        raise ValidationError.single(
            field, f"{name} chứa ký tự điều khiển không hợp lệ (U+{ord(bad):04X})."
        )
    text = clean_line(value)
    if required and not text:
        raise ValidationError.single(field, f"{name} không được để trống.")
    if len(text) > max_len:
        raise ValidationError.single(
            field, f"{name} quá dài ({len(text)} ký tự, tối đa {max_len})."
        )
    mark = find_stray_mark(text)
    if mark is not None:
        raise ValidationError.single(
            field,
            f"{name} có dấu đứng riêng hoặc chồng nhiều dấu lên một chữ (U+{ord(mark):04X}); "
            "hãy gõ lại bằng bộ gõ tiếng Việt.",
        )
    return text


def century_sex_digit(dob: date, sex: Sex) -> int:
    """Digit 4 of a CCCD: 0/1 for 1900–1999 male/female, 2/3 for 2000–2099, and so on."""
    century_index = (dob.year // 100) - 19
    return century_index * 2 + (1 if sex is Sex.FEMALE else 0)


def validate_cccd(value: str, *, dob: date | None = None, sex: Sex | None = None) -> str:
    number = value.strip()
    field = "id_number"
    if not number:
        raise ValidationError.single(field, f"{_label(field)} không được để trống.")
    if not (len(number) == 12 and number.isascii() and number.isdigit()):
        raise ValidationError.single(field, f"{_label(field)} phải gồm đúng 12 chữ số.")
    if number[:3] not in PROVINCE_CODES:
        raise ValidationError.single(
            field, f"{_label(field)}: mã tỉnh nơi đăng ký khai sinh '{number[:3]}' không tồn tại."
        )
    if dob is not None:
        if number[4:6] != f"{dob.year % 100:02d}":
            raise ValidationError.single(
                field,
                f"{_label(field)}: chữ số 5–6 ('{number[4:6]}') không khớp năm sinh {dob.year}.",
            )
        if sex is not None:
            expected = century_sex_digit(dob, sex)
            if int(number[3]) != expected:
                raise ValidationError.single(
                    field,
                    f"{_label(field)}: chữ số thứ 4 ('{number[3]}') không khớp thế kỷ sinh và "
                    f"giới tính (phải là {expected}).",
                )
        else:
            century_index = int(number[3]) // 2
            if 1900 + 100 * century_index != (dob.year // 100) * 100:
                raise ValidationError.single(
                    field,
                    f"{_label(field)}: chữ số thứ 4 ('{number[3]}') không khớp thế kỷ của năm "
                    f"sinh {dob.year}.",
                )
    if sex is not None and dob is None and int(number[3]) % 2 != (1 if sex is Sex.FEMALE else 0):
        raise ValidationError.single(
            field,
            f"{_label(field)}: chữ số thứ 4 ('{number[3]}') không khớp giới tính "
            f"({'nữ: số lẻ' if sex is Sex.FEMALE else 'nam: số chẵn'}).",
        )
    return number


def validate_tax_code(value: str) -> str:
    """Mã số doanh nghiệp: 10 digits, or 13 written as 10 + '-' + 3 (the dash is optional)."""
    field = "tax_code"
    code = value.strip()
    if not code:
        raise ValidationError.single(field, f"{_label(field)} không được để trống.")
    digits = code.replace("-", "")
    if not (digits.isascii() and digits.isdigit() and len(digits) in (10, 13)):
        raise ValidationError.single(field, f"{_label(field)} phải gồm 10 hoặc 13 chữ số.")
    if "-" in code and not (len(digits) == 13 and code == f"{digits[:10]}-{digits[10:]}"):
        raise ValidationError.single(
            field, f"{_label(field)} 13 số viết dạng 0101234567-001 (dấu gạch sau chữ số thứ 10)."
        )
    return digits if len(digits) == 10 else f"{digits[:10]}-{digits[10:]}"


def validate_phone(value: str) -> str:
    """Vietnamese phone: mobile 0 + 9 digits, landline 02x + 8 digits; +84/84 accepted."""
    field = "phone"
    if find_refused_char(value) is not None:
        raise ValidationError.single(field, f"{_label(field)} chứa ký tự không hợp lệ.")
    raw = value.strip()
    if not raw:
        return ""
    compact = re.sub(r"[\s.\-()]", "", raw)
    if compact.startswith("+84"):
        compact = "0" + compact[3:].removeprefix("0")
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    if not (compact.isascii() and compact.isdigit()):
        raise ValidationError.single(field, f"{_label(field)} chỉ được gồm chữ số.")
    landline = compact.startswith("02") and len(compact) == 11
    if not (compact.startswith("0") and (len(compact) == 10 or landline)):
        raise ValidationError.single(
            field, f"{_label(field)} phải có 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678)."
        )
    return compact


def validate_email(value: str) -> str:
    field = "email"
    text = clean_text(field, value, required=False, max_len=MAX_EMAIL)
    if text and not _EMAIL.match(text):
        raise ValidationError.single(field, f"{_label(field)} '{text}' không hợp lệ.")
    return text


def validate_dob(value: date | None, *, today: date) -> date | None:
    if value is None:
        return None
    if value > today:
        raise ValidationError.single("dob", f"{_label('dob')} không được sau ngày hôm nay.")
    if value.year < 1900:
        raise ValidationError.single("dob", f"{_label('dob')} không hợp lệ (trước năm 1900).")
    return value


@dataclass(frozen=True)
class ApplicantInput:
    """What the clerk typed; strings may be un-normalised."""

    name: str
    kind: ApplicantKind = ApplicantKind.CITIZEN
    id_number: str = ""
    tax_code: str = ""
    dob: date | None = None
    sex: Sex | None = None
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Applicant:
    """A validated applicant: every text NFC and trimmed."""

    name: str
    kind: ApplicantKind
    id_number: str
    tax_code: str
    dob: date | None
    sex: Sex | None
    address: str
    phone: str
    email: str

    @property
    def identifier(self) -> str:
        return self.id_number if self.kind is ApplicantKind.CITIZEN else self.tax_code

    @property
    def id_label(self) -> str:
        return id_label(self.kind, self.id_number, self.tax_code)


def id_label(kind: ApplicantKind | str, id_number: str, tax_code: str) -> str:
    """How the receipt names the applicant's identity number."""
    if ApplicantKind(kind) is ApplicantKind.CITIZEN:
        return f"Số định danh cá nhân: {id_number}"
    return f"Mã số thuế: {tax_code}"


def _collect(errors: list[ValidationError], check: Callable[[], T]) -> T | None:
    try:
        return check()
    except ValidationError as err:
        errors.append(err)
        return None


def _clean_name(data: ApplicantInput) -> str:
    try:
        name = clean_text("name", data.name, required=True, max_len=MAX_NAME)
        if not any(ch.isalpha() for ch in name):
            raise ValidationError.single("name", f"{FIELD_LABELS['name']} phải có chữ cái.")
        return name
    except ValidationError as err:
        if data.kind is ApplicantKind.ORGANISATION:
            raise ValidationError.single(
                "name", err.fields["name"].replace(FIELD_LABELS["name"], "Tên tổ chức")
            ) from None
        raise


def validate_applicant(data: ApplicantInput, *, today: date) -> Applicant:
    """Every field checked; all refusals are reported together, each naming its field."""
    errors: list[ValidationError] = []
    name = _collect(errors, lambda: _clean_name(data))
    citizen = data.kind is ApplicantKind.CITIZEN
    dob = _collect(errors, lambda: validate_dob(data.dob, today=today)) if citizen else None
    id_number: str | None = ""
    tax_code: str | None = ""
    if data.kind is ApplicantKind.CITIZEN:
        id_number = _collect(errors, lambda: validate_cccd(data.id_number, dob=dob, sex=data.sex))
    else:
        tax_code = _collect(errors, lambda: validate_tax_code(data.tax_code))
    address = _collect(
        errors, lambda: clean_text("address", data.address, required=False, max_len=MAX_ADDRESS)
    )
    phone = _collect(errors, lambda: validate_phone(data.phone))
    email = _collect(errors, lambda: validate_email(data.email))
    if errors:
        raise ValidationError.merge(errors)
    return Applicant(
        name=name or "",
        kind=data.kind,
        id_number=id_number or "",
        tax_code=tax_code or "",
        dob=dob,
        sex=data.sex if data.kind is ApplicantKind.CITIZEN else None,
        address=address or "",
        phone=phone or "",
        email=email or "",
    )
