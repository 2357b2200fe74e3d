"""A supervisor's corrections after receipt: amending the applicant's details and cancelling
a dossier entered by mistake; a clerk is refused and the attempt audited."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

import pytest

from counter_app.cli import main
from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput, ApplicantKind, Sex
from counter_app.domain.text import fold
from counter_app.errors import ConflictError, ValidationError
from counter_app.services.accounts import PermissionDeniedError
from counter_app.services.context import CounterContext
from counter_app.services.corrections import (
    ApplicantChanges,
    amend_dossier,
    begin_correction,
    cancel_dossier,
    is_cancelled,
)
from counter_app.services.dossiers import get_dossier
from counter_app.services.dto import DocumentLine
from counter_app.services.forms import register_data
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.search import search
from counter_app.services.tracking import change_status, hand_over, refuse, request_supplement
from counter_app.store.models import AuditLog, Dossier, DueChange, Outbox, StatusHistory
from tests.support.counters import CLERK, PASSWORD, SUPERVISOR, sign_in_as

DUC = ApplicantInput(
    name="Nguyễn Văn Đức",
    id_number="001090012345",
    dob=date(1990, 5, 1),
    sex=Sex.MALE,
    address="Thôn Đông Hòa, xã An Hòa",
    phone="0912 345 678",
)
COMPANY = ApplicantInput(
    name="Công ty TNHH Hòa Bình",
    kind=ApplicantKind.ORGANISATION,
    tax_code="0101234567",
    address="Số 1 đường Lê Lợi",
)
BODY = "Công chức Tư pháp - Hộ tịch"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def received(ctx: CounterContext, applicant: ApplicantInput = DUC, note: str = "") -> str:
    request = IntakeRequest(
        "1.004873",
        applicant,
        received_at=at("2026-11-23T08:00"),
        note=note,
        allow_duplicate=True,
    )
    return receive(ctx, request).code


def counts() -> tuple[int, int, int]:
    return StatusHistory.select().count(), Outbox.select().count(), AuditLog.select().count()


def last_audit() -> AuditLog:
    return AuditLog.select().order_by(AuditLog.id.desc()).first()


def last_outbox() -> Outbox:
    return Outbox.select().order_by(Outbox.id.desc()).first()


# --------------------------------------------------------------------------- amend


def test_amend_corrects_name_and_address_in_one_action(counter: CounterContext) -> None:
    code = received(counter)
    before = counts()
    # Typed with a decomposing keyboard: stored composed, searched folded.
    typed = unicodedata.normalize("NFD", "Nguyễn Văn Đông")
    detail = amend_dossier(
        counter,
        code,
        ApplicantChanges(name=typed, address="  Thôn Tây Hòa,   xã An Hòa "),
        "Gõ nhầm họ tên và địa chỉ so với CCCD",
    )
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert detail.summary.applicant_name == "Nguyễn Văn Đông"
    assert unicodedata.is_normalized("NFC", detail.summary.applicant_name)
    assert detail.address == "Thôn Tây Hòa, xã An Hòa"
    assert detail.summary.status == 2  # nothing else moves
    assert detail.id_number == DUC.id_number and detail.phone == "0912345678"
    row = Dossier.get(Dossier.code == code)
    assert row.applicant_key == fold("Nguyễn Văn Đông") == "nguyen van dong"
    # The search box finds the corrected name (FTS kept by trigger), not the old one.
    assert [s.code for s in search(counter, "nguyen van dong")] == [code]
    assert [s.code for s in search(counter, "van dong")] == [code]
    assert search(counter, "nguyen van duc") == []

    last = detail.history[-1]
    assert (last.from_status, last.to_status, last.actor) == (2, 2, "Trần Thị Mai")
    assert (
        last.note == "Sửa thông tin: họ tên, địa chỉ. Lý do: Gõ nhầm họ tên và địa chỉ so với CCCD"
    )

    item = last_outbox()
    assert item.kind == "dossier.amended" and item.entity_ref == code
    assert item.payload["fields"] == ["name", "address"]
    assert item.payload["changes"] == {
        "name": {"old": "Nguyễn Văn Đức", "new": "Nguyễn Văn Đông"},
        "address": {"old": "Thôn Đông Hòa, xã An Hòa", "new": "Thôn Tây Hòa, xã An Hòa"},
    }
    assert item.payload["applicant"] == detail.to_json()["applicant"]
    assert item.payload["applicant_name"] == "Nguyễn Văn Đông"
    assert item.payload["status"] == 2 and item.payload["actor"] == "Trần Thị Mai"
    assert item.payload["history"] == [
        {"from": 2, "to": 2, "at": item.payload["at"], "actor": "Trần Thị Mai", "note": last.note}
    ]


def test_the_audit_row_names_the_fields_never_the_values(counter: CounterContext) -> None:
    code = received(counter)
    amend_dossier(
        counter,
        code,
        ApplicantChanges(
            name="Nguyễn Văn Đông", id_number="001090054321", phone="0987654321", note="Khách VIP"
        ),
        "Nhập nhầm",
    )
    row = last_audit()
    assert (row.actor, row.action, row.object_ref) == (SUPERVISOR, "dossier.amend", code)
    assert row.detail == {
        "status": 2,
        "fields": ["name", "id_number", "phone", "note"],
        "reason_length": len("Nhập nhầm"),
    }
    text = json.dumps(row.detail, ensure_ascii=False)
    for secret in ("Đông", "Đức", "001090054321", "001090012345", "0987654321", "VIP", "Nhập"):
        assert secret not in text


def test_values_are_checked_as_at_intake_each_naming_its_field(counter: CounterContext) -> None:
    code = received(counter)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        amend_dossier(
            counter,
            code,
            ApplicantChanges(id_number="12345", phone="12ab", email="khong-phai-email", name=" "),
            "Sửa",
        )
    fields = caught.value.fields
    assert set(fields) == {"id_number", "phone", "email", "name"}
    assert "Số định danh cá nhân (CCCD)" in fields["id_number"]
    assert "Số điện thoại" in fields["phone"] and "Email" in fields["email"]
    assert "Họ và tên" in fields["name"]
    # A corrected date of birth must still agree with the CCCD (digits 5–6 = year).
    with pytest.raises(ValidationError) as caught:
        amend_dossier(counter, code, ApplicantChanges(dob=date(1985, 5, 1)), "Sửa ngày sinh")
    assert "không khớp năm sinh 1985" in caught.value.fields["id_number"]
    with pytest.raises(ValidationError) as caught:
        amend_dossier(counter, code, ApplicantChanges(sex=Sex.FEMALE), "Sửa giới tính")
    assert "giới tính" in caught.value.fields["id_number"]
    with pytest.raises(ValidationError) as caught:
        amend_dossier(counter, code, ApplicantChanges(note="x" * 501), "Sửa")
    assert "Ghi chú" in caught.value.fields["note"]
    assert counts() == before
    assert get_dossier(counter, code).summary.applicant_name == "Nguyễn Văn Đức"


def test_dob_and_sex_together_with_the_matching_cccd(counter: CounterContext) -> None:
    code = received(counter)
    detail = amend_dossier(
        counter,
        code,
        ApplicantChanges(id_number="001185012345", dob=date(1985, 2, 3), sex=Sex.FEMALE),
        "Nhập nhầm người trong gia đình",
    )
    assert (detail.id_number, detail.dob, detail.sex) == ("001185012345", date(1985, 2, 3), "F")
    assert detail.history[-1].note.startswith("Sửa thông tin: số CCCD, ngày sinh, giới tính.")
    assert last_outbox().payload["changes"]["dob"] == {"old": "1990-05-01", "new": "1985-02-03"}
    # The date of birth and sex can be emptied (both are optional at intake).
    cleared = amend_dossier(counter, code, ApplicantChanges(clear=frozenset({"dob", "sex"})), "Bỏ")
    assert (cleared.dob, cleared.sex) == (None, None)
    assert last_outbox().payload["changes"]["sex"] == {"old": "F", "new": None}


def test_the_intake_note_can_be_corrected(counter: CounterContext) -> None:
    code = received(counter, note="Nộp thay cho mẹ")
    form = begin_correction(counter, code, "amend")
    assert form.values.note == "Nộp thay cho mẹ" and form.values.name == "Nguyễn Văn Đức"
    amend_dossier(counter, code, ApplicantChanges(note="Nộp thay cho bố"), "Ghi nhầm")
    assert Dossier.get(Dossier.code == code).note == "Nộp thay cho bố"
    assert last_outbox().payload["fields"] == ["note"]


def test_reason_required_and_something_must_change(counter: CounterContext) -> None:
    code = received(counter)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        amend_dossier(counter, code, ApplicantChanges(address="Thôn Tây"), "  ")
    assert "Lý do sửa không được để trống" in caught.value.fields["reason"]
    with pytest.raises(ValidationError) as caught:
        amend_dossier(counter, code, ApplicantChanges(), "Sửa")
    assert "changes" in caught.value.fields
    # The same values typed again (the phone with its spaces) change nothing.
    with pytest.raises(ValidationError) as caught:
        amend_dossier(
            counter, code, ApplicantChanges(name="Nguyễn Văn Đức", phone="0912 345 678"), "Sửa"
        )
    assert "giống hệt" in caught.value.fields["changes"]
    assert counts() == before


def test_an_organisation_has_a_tax_code_and_no_birth_date(counter: CounterContext) -> None:
    code = received(counter, COMPANY)
    detail = amend_dossier(
        counter,
        code,
        ApplicantChanges(name="Công ty Cổ phần Hòa Bình", tax_code="0101234567-001"),
        "Đổi loại hình doanh nghiệp",
    )
    assert detail.summary.applicant_name == "Công ty Cổ phần Hòa Bình"
    assert detail.tax_code == "0101234567-001"
    with pytest.raises(ValidationError) as caught:
        amend_dossier(counter, code, ApplicantChanges(dob=date(1990, 1, 1)), "Sửa")
    assert "tổ chức" in caught.value.fields["dob"]
    with pytest.raises(ValidationError) as caught:
        amend_dossier(counter, code, ApplicantChanges(tax_code="123"), "Sửa")
    assert "Mã số thuế" in caught.value.fields["tax_code"]
    citizen = received(counter)
    with pytest.raises(ValidationError) as caught:
        amend_dossier(counter, citizen, ApplicantChanges(tax_code="0101234567"), "Sửa")
    assert "công dân" in caught.value.fields["tax_code"]


def test_amend_is_refused_on_a_final_dossier_but_allowed_while_processing(
    counter: CounterContext,
) -> None:
    code = received(counter)
    hand_over(counter, code, BODY)
    detail = amend_dossier(counter, code, ApplicantChanges(phone="0987654321"), "Số mới")
    assert detail.summary.status == 4 and detail.history[-1].from_status == 4
    code = received(counter)
    refuse(counter, code, "Không thuộc thẩm quyền")
    before = counts()
    with pytest.raises(ConflictError) as caught:
        amend_dossier(counter, code, ApplicantChanges(phone="0911111111"), "Sửa")
    assert "đã kết thúc ở trạng thái 3" in caught.value.message
    with pytest.raises(ConflictError):
        begin_correction(counter, code, "amend")
    assert counts() == before


# --------------------------------------------------------------------------- cancel


def test_cancel_closes_the_dossier_in_7_and_keeps_it_in_the_register(
    counter: CounterContext,
) -> None:
    first = received(counter)
    twice = received(counter)
    dossiers = Dossier.select().count()
    before = counts()
    detail = cancel_dossier(counter, twice, "Nhập trùng với hồ sơ " + first, cause="duplicate")
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert Dossier.select().count() == dossiers  # nothing deleted
    assert detail.summary.status == 7
    last = detail.history[-1]
    assert (last.from_status, last.to_status) == (2, 7)
    assert last.note == f"Hủy do nhập nhầm: Nhập trùng với hồ sơ {first}"
    assert is_cancelled(detail)
    assert not detail.notices  # no form for the citizen
    register = register_data(counter, date(2026, 11, 23), date(2026, 11, 23))
    assert [r.dossier_code for r in register.rows] == [first, twice]

    item = last_outbox()
    assert (item.kind, item.entity_ref) == ("dossier.cancelled", twice)
    assert item.payload["status"] == 7 and item.payload["cancelled"] is True
    assert item.payload["cause"] == "duplicate"
    assert item.payload["reason"] == f"Nhập trùng với hồ sơ {first}"
    assert [h["to"] for h in item.payload["history"]] == [7]
    audit = last_audit()
    assert (audit.actor, audit.action, audit.object_ref) == (SUPERVISOR, "dossier.cancel", twice)
    assert audit.detail == {
        "from": 2,
        "to": 7,
        "cause": "duplicate",
        "reason_length": len(f"Nhập trùng với hồ sơ {first}"),
    }
    # Ended: no later move, no second cancellation, no amendment.
    with pytest.raises(ConflictError) as caught:
        cancel_dossier(counter, twice, "Lần nữa")
    assert "đã kết thúc ở trạng thái 7" in caught.value.message
    with pytest.raises(ConflictError):
        change_status(counter, twice, 4)
    with pytest.raises(ConflictError):
        amend_dossier(counter, twice, ApplicantChanges(phone="0911111111"), "Sửa")


def test_a_withdrawal_is_not_a_cancellation(counter: CounterContext) -> None:
    code = received(counter)
    detail = change_status(counter, code, 7, note="Công dân xin rút")
    assert detail.summary.status == 7 and not is_cancelled(detail)


def test_cancel_needs_a_reason_and_a_known_cause(counter: CounterContext) -> None:
    code = received(counter)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        cancel_dossier(counter, code, "", cause="boredom")
    assert "Lý do hủy không được để trống" in caught.value.fields["reason"]
    assert "duplicate" in caught.value.fields["cause"]
    assert counts() == before


def test_cancel_a_paused_dossier_moves_no_due_date(counter: CounterContext) -> None:
    code = received(counter)
    request_supplement(
        counter, code, "Thiếu giấy", (DocumentLine("Giấy chứng sinh", "original", 1),)
    )
    due = get_dossier(counter, code).summary.due_at
    detail = cancel_dossier(counter, code, "Nhầm thủ tục", cause="wrong_procedure")
    assert detail.summary.status == 7 and detail.paused_at is None
    assert detail.summary.due_at == due
    assert DueChange.select().count() == 0


def test_a_resolved_dossier_is_returned_not_cancelled(counter: CounterContext) -> None:
    code = received(counter)
    change_status(counter, code, 9, note="Xong tại quầy")
    before = counts()
    with pytest.raises(ConflictError) as caught:
        cancel_dossier(counter, code, "Nhập nhầm")
    assert "đã có kết quả" in caught.value.message
    with pytest.raises(ConflictError):
        begin_correction(counter, code, "cancel")
    assert counts() == before


# --------------------------------------------------------------------------- a clerk


def denied_rows() -> list[AuditLog]:
    return list(AuditLog.select().where(AuditLog.action == "denied").order_by(AuditLog.id))


def test_a_clerk_is_refused_both_and_each_attempt_is_audited(counter: CounterContext) -> None:
    code = received(counter)
    sign_in_as(counter, CLERK)
    outbox = Outbox.select().count()
    history = StatusHistory.select().count()
    with pytest.raises(PermissionDeniedError) as caught:
        amend_dossier(counter, code, ApplicantChanges(name="Nguyễn Văn Đông"), "Sửa")
    assert "Chỉ trưởng bộ phận hoặc quản trị được sửa thông tin" in caught.value.message
    with pytest.raises(PermissionDeniedError) as caught:
        cancel_dossier(counter, code.lower(), "Nhập trùng")
    assert "hủy hồ sơ nhập nhầm" in caught.value.message
    with pytest.raises(PermissionDeniedError):
        begin_correction(counter, code, "amend")
    denied = denied_rows()
    assert [(r.actor, r.object_ref, r.detail) for r in denied] == [
        (CLERK, code, {"attempted": "dossier.amend"}),
        (CLERK, code, {"attempted": "dossier.cancel"}),
        (CLERK, code, {"attempted": "dossier.amend"}),
    ]
    # Refused before anything was read or written: the dossier is as it was.
    assert Outbox.select().count() == outbox and StatusHistory.select().count() == history
    detail = get_dossier(counter, code)
    assert detail.summary.applicant_name == "Nguyễn Văn Đức" and detail.summary.status == 2
    # The refusal is not conditional on the input: a clerk's bad input is refused as well.
    with pytest.raises(PermissionDeniedError):
        amend_dossier(counter, code, ApplicantChanges(), "")


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def sign(username: str) -> None:
        monkeypatch.setenv("COUNTER_APP_USER", username)
        monkeypatch.setenv("COUNTER_APP_PASSWORD", PASSWORD)

    return sign


def test_cli_amend_and_cancel(
    counter: CounterContext, as_user: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    code = received(counter)
    other = received(counter)
    as_user(SUPERVISOR)
    assert (
        main(
            [
                "amend",
                code,
                "--name",
                "Nguyễn Văn Đông",
                "--address",
                "Thôn Tây Hòa",
                "--reason",
                "Gõ nhầm",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["applicant"]["name"] == "Nguyễn Văn Đông"
    assert out["applicant"]["address"] == "Thôn Tây Hòa"
    assert main(["cancel", other, "--reason", "Nhập trùng", "--cause", "duplicate"]) == 0
    assert "Đã hủy hồ sơ nhập nhầm" in capsys.readouterr().out
    assert Dossier.get(Dossier.code == other).status == 7

    # Refused input exits 2 with the message in Vietnamese.
    assert main(["amend", code, "--phone", "12", "--reason", "Sửa"]) == 2
    assert "Số điện thoại" in capsys.readouterr().err
    assert main(["amend", code, "--reason", "Sửa"]) == 2
    assert "Chưa có thông tin nào cần sửa" in capsys.readouterr().err
    assert main(["cancel", other, "--reason", "Lần nữa"]) == 2
    assert "đã kết thúc" in capsys.readouterr().err

    as_user(CLERK)
    assert main(["amend", code, "--name", "Lê Văn Tám", "--reason", "Sửa"]) == 2
    err = capsys.readouterr().err
    assert "Chỉ trưởng bộ phận hoặc quản trị" in err and "lan" in err
    fresh = Dossier.get(Dossier.code == code)
    assert (fresh.applicant_name, fresh.status) == ("Nguyễn Văn Đông", 2)
    assert main(["cancel", code, "--reason", "Nhập trùng"]) == 2
    assert "hủy hồ sơ nhập nhầm" in capsys.readouterr().err
    assert [r.detail["attempted"] for r in denied_rows()] == ["dossier.amend", "dossier.cancel"]
