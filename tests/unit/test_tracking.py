"""A dossier's life after intake: legal moves only, the pause clock, hand-overs, one return."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.domain.parties import COUNTER_PARTY
from counter_app.errors import ConflictError, ValidationError
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import get_dossier
from counter_app.services.dto import DocumentLine
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.returns import ReturnRequest, return_result
from counter_app.services.tracking import (
    apologise,
    change_status,
    hand_over,
    refuse,
    request_supplement,
    stop,
)
from counter_app.store.models import (
    AuditLog,
    DossierReturn,
    DueChange,
    Handover,
    Notice,
    Outbox,
    StatusHistory,
)

DUC = ApplicantInput(
    name="Nguyễn Văn Đức",
    id_number="001090012345",
    dob=date(1990, 5, 1),
    sex=Sex.MALE,
    address="Thôn Đông Hòa, xã An Hòa",
    phone="0912 345 678",
)
BODY = "Công chức Tư pháp - Hộ tịch"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def received(ctx: CounterContext, moment: str = "2026-11-16T08:00") -> str:
    # 1.004873 (3 working days): received Mon 16/11 08:00, due Thu 19/11 17:00.
    return receive(
        ctx, IntakeRequest("1.004873", DUC, received_at=at(moment), allow_duplicate=True)
    ).code


def counts() -> tuple[int, ...]:
    return (
        StatusHistory.select().count(),
        Outbox.select().count(),
        AuditLog.select().count(),
        Handover.select().count(),
        Notice.select().count(),
        DueChange.select().count(),
        DossierReturn.select().count(),
    )


def test_received_dossier_is_at_the_counter_with_its_first_due(counter: CounterContext) -> None:
    detail = get_dossier(counter, received(counter))
    assert detail.holder == COUNTER_PARTY
    assert detail.first_due_at == detail.summary.due_at == at("2026-11-19T17:00")


def test_illegal_move_is_refused_and_changes_nothing(counter: CounterContext) -> None:
    code = received(counter)
    before = counts()
    with pytest.raises(ConflictError) as caught:
        change_status(counter, code, 10)
    assert "Trả kết quả" in caught.value.message
    with pytest.raises(ConflictError) as caught:
        change_status(counter, code, 1, at=at("2026-11-16T09:00"))
    assert "Không được chuyển từ 2 (Được tiếp nhận) sang 1" in caught.value.message
    assert counts() == before
    assert get_dossier(counter, code).summary.status == 2


def test_each_move_is_one_history_outbox_and_audit_row(counter: CounterContext) -> None:
    code = received(counter)
    before = counts()
    detail = change_status(counter, code, 4, note="Bắt đầu xử lý", at=at("2026-11-16T09:00"))
    after = counts()
    assert detail.summary.status == 4
    assert (after[0] - before[0], after[1] - before[1], after[2] - before[2]) == (1, 1, 1)
    last = detail.history[-1]
    assert (last.from_status, last.to_status, last.note) == (2, 4, "Bắt đầu xử lý")
    assert last.actor == "Trần Thị Mai"


def test_reason_required_for_withdrawal(counter: CounterContext) -> None:
    code = received(counter)
    with pytest.raises(ValidationError) as caught:
        change_status(counter, code, 7, at=at("2026-11-16T09:00"))
    assert "lý do" in caught.value.fields["note"]


def test_pause_and_resume_moves_the_due_date_by_the_working_time_waited(
    counter: CounterContext,
) -> None:
    code = received(counter)  # due Thu 19/11 17:00
    request_supplement(
        counter,
        code,
        "Thiếu giấy chứng sinh",
        (DocumentLine("Giấy chứng sinh", "original", 1),),
        at=at("2026-11-17T10:00"),
    )
    paused = get_dossier(counter, code)
    assert paused.summary.status == 5 and paused.paused_at == at("2026-11-17T10:00")
    # Waited Tue 10:00–11:30 and 13:30–17:00 (5 h) + Wed 07:00–08:00 (1 h) = 6 working hours.
    resumed = change_status(counter, code, 4, note="Đã bổ sung", at=at("2026-11-18T08:00"))
    assert resumed.paused_at is None
    # 19/11 17:00 + 6 h of working time: Fri 20/11 07:00–11:30 (4.5 h) + 13:30–15:00.
    assert resumed.summary.due_at == at("2026-11-20T15:00")
    assert resumed.first_due_at == at("2026-11-19T17:00")
    (change,) = resumed.due_changes
    assert (change.kind, change.old_due_at, change.new_due_at) == (
        "resume",
        at("2026-11-19T17:00"),
        at("2026-11-20T15:00"),
    )
    assert change.paused_from == at("2026-11-17T10:00")


def test_moving_between_pausing_statuses_keeps_the_first_pause(counter: CounterContext) -> None:
    code = received(counter)
    request_supplement(counter, code, "Thiếu giấy tờ", (), at=at("2026-11-17T10:00"))
    stop(counter, code, "Công dân không bổ sung", at=at("2026-11-18T10:00"))
    assert get_dossier(counter, code).paused_at == at("2026-11-17T10:00")


def test_handover_records_the_step_and_its_result(counter: CounterContext) -> None:
    code = received(counter)
    sent = hand_over(counter, code, BODY, taker="Lê Văn Hùng", at=at("2026-11-16T09:00"))
    assert sent.summary.status == 4
    assert sent.holder == BODY
    back = hand_over(counter, code, "quầy", result_ready=True, at=at("2026-11-19T16:00"))
    assert back.summary.status == 9
    assert back.holder == COUNTER_PARTY
    assert back.resolved_at == at("2026-11-19T16:00")
    first, second = back.handovers
    assert (first.from_party, first.to_party, first.taker, first.result) == (
        COUNTER_PARTY,
        BODY,
        "Lê Văn Hùng",
        "early",
    )
    assert first.giver == "Trần Thị Mai"
    assert (second.from_party, second.to_party, second.result) == (BODY, COUNTER_PARTY, "on_time")


def test_late_handover_step_is_marked_late(counter: CounterContext) -> None:
    code = received(counter)
    hand_over(counter, code, BODY, at=at("2026-11-16T09:00"))
    back = hand_over(counter, code, COUNTER_PARTY, result_ready=True, at=at("2026-11-20T08:00"))
    assert back.handovers[-1].result == "late"


def test_handover_to_the_holder_is_refused(counter: CounterContext) -> None:
    code = received(counter)
    with pytest.raises(ConflictError):
        hand_over(counter, code, COUNTER_PARTY, at=at("2026-11-16T09:00"))


def resolved(ctx: CounterContext) -> str:
    code = received(ctx)
    hand_over(ctx, code, BODY, at=at("2026-11-16T09:00"))
    hand_over(ctx, code, COUNTER_PARTY, result_ready=True, at=at("2026-11-18T10:00"))
    return code


def test_return_with_rating(counter: CounterContext) -> None:
    code = resolved(counter)
    detail = return_result(
        counter,
        code,
        ReturnRequest("Nguyễn Văn Đức", rating=1, comment="Nhanh", at=at("2026-11-18T15:00")),
    )
    assert detail.summary.status == 10
    assert detail.returned_at == at("2026-11-18T15:00")
    assert detail.returned is not None
    assert (detail.returned.rating, detail.returned.timeliness) == (1, "early")


def test_a_second_return_is_refused_and_records_nothing(counter: CounterContext) -> None:
    code = resolved(counter)
    return_result(counter, code, ReturnRequest("Nguyễn Văn Đức", at=at("2026-11-18T15:00")))
    before = counts()
    with pytest.raises(ConflictError) as caught:
        return_result(counter, code, ReturnRequest("Nguyễn Văn Đức"))
    assert "đã trả kết quả lúc 15:00 ngày 18/11/2026" in caught.value.message
    assert counts() == before


def test_return_before_the_result_is_ready_is_refused(counter: CounterContext) -> None:
    code = received(counter)
    with pytest.raises(ConflictError) as caught:
        return_result(counter, code, ReturnRequest("Nguyễn Văn Đức"))
    assert "chưa có kết quả" in caught.value.message


def test_authorised_receiver_needs_a_valid_id(counter: CounterContext) -> None:
    code = resolved(counter)
    with pytest.raises(ValidationError) as caught:
        return_result(counter, code, ReturnRequest("Lê Thị Hoa", receiver_kind="authorised"))
    assert "CCCD" in caught.value.fields["receiver_id_number"]
    with pytest.raises(ValidationError) as caught:
        return_result(
            counter,
            code,
            ReturnRequest("Lê Thị Hoa", receiver_kind="authorised", receiver_id_number="12345"),
        )
    assert "Số CCCD người nhận" in caught.value.fields["receiver_id_number"]
    detail = return_result(
        counter,
        code,
        ReturnRequest(
            "Lê Thị Hoa",
            receiver_kind="authorised",
            receiver_id_number="001190012345",
            channel="post",
            at=at("2026-11-18T15:00"),
        ),
    )
    assert detail.returned is not None and detail.returned.channel == "post"


def test_refusal_needs_a_reason_and_ends_the_dossier(counter: CounterContext) -> None:
    code = received(counter)
    with pytest.raises(ValidationError):
        refuse(counter, code, "   ")
    result = refuse(counter, code, "Hồ sơ không thuộc thẩm quyền", at=at("2026-11-16T09:00"))
    assert result.dossier.summary.status == 3
    (notice,) = result.dossier.notices
    assert (notice.form, notice.reason, notice.number) == (
        "03",
        "Hồ sơ không thuộc thẩm quyền",
        "1/2026-M1",
    )
    with pytest.raises(ConflictError) as caught:
        change_status(counter, code, 4)
    assert "đã kết thúc" in caught.value.message


def test_apology_sets_a_new_date_once(counter: CounterContext) -> None:
    code = received(counter)
    hand_over(counter, code, BODY, at=at("2026-11-16T09:00"))
    with pytest.raises(ValidationError):
        apologise(counter, code, "Chờ xác minh", at("2026-11-18T17:00"), at=at("2026-11-18T09:00"))
    result = apologise(
        counter, code, "Chờ xác minh", at("2026-11-24T17:00"), at=at("2026-11-18T09:00")
    )
    detail = result.dossier
    assert detail.summary.due_at == at("2026-11-24T17:00")
    assert detail.first_due_at == at("2026-11-19T17:00")
    (notice,) = detail.notices
    assert (notice.form, notice.due_at, notice.new_due_at) == (
        "04",
        at("2026-11-19T17:00"),
        at("2026-11-24T17:00"),
    )
    before = counts()
    with pytest.raises(ConflictError) as caught:
        apologise(counter, code, "Lần nữa", at("2026-11-27T17:00"))
    assert "một lần" in caught.value.message
    assert counts() == before


def test_action_time_before_the_previous_step_is_refused(counter: CounterContext) -> None:
    code = received(counter)
    with pytest.raises(ValidationError) as caught:
        change_status(counter, code, 4, at=at("2026-11-15T09:00"))
    assert "trước bước trước" in caught.value.fields["at"]


def test_overdue_board(counter: CounterContext) -> None:
    from counter_app.services.board import Category, board_counts, board_rows

    late = received(counter, "2026-11-16T08:00")  # due 19/11 17:00: overdue on 25/11
    hand_over(counter, late, BODY, at=at("2026-11-16T09:00"))
    today = received(counter, "2026-11-19T08:00")  # due Wed 25/11 17:00 (24/11 is off)
    soon = received(counter, "2026-11-20T08:00")  # due Thu 26/11 17:00
    received(counter, "2026-11-25T08:00")  # due Mon 30/11: beyond two working days
    paused = received(counter, "2026-11-16T10:00")
    request_supplement(counter, paused, "Thiếu giấy tờ", (), at=at("2026-11-16T11:00"))
    now = at("2026-11-25T09:00")
    counts = board_counts(counter, now=now, within_days=2)
    assert (counts.overdue, counts.today, counts.soon) == (1, 1, 1)
    (row,) = board_rows(counter, Category.OVERDUE, now=now)
    assert (row.code, row.holder) == (late, BODY)
    assert [r.code for r in board_rows(counter, Category.TODAY, now=now)] == [today]
    assert [r.code for r in board_rows(counter, Category.SOON, now=now)] == [soon]
