"""The overdue board as the clerk sees it: counts in the labels, coloured rows, Enter opens."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput
from counter_app.services.board import BoardCounts, Category
from counter_app.services.context import CounterContext
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.tracking import hand_over, request_supplement
from tests.ui.conftest import WAIT_MS, focused
from ui.board_model import COL_APPLICANT, COL_CODE, COL_HOLDER, COL_LATE, COL_STATUS
from ui.board_screen import REFRESH_MS, BoardScreen
from ui.session import Session

BODY = "Công chức Tư pháp - Hộ tịch"
HOA = ApplicantInput(name="Lê Thị Hoa", id_number="001190012345")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def received(ctx: CounterContext, moment: str) -> str:
    # 1.004873 takes 3 working days: received Mon 16/11 08:00 is due Thu 19/11 17:00.
    return receive(
        ctx, IntakeRequest("1.004873", HOA, received_at=at(moment), allow_duplicate=True)
    ).code


@pytest.fixture
def codes(session: Session) -> dict[str, str]:
    """One dossier in each section on Wed 25/11 09:00, one further ahead, one paused."""
    ctx = session.ctx
    late = received(ctx, "2026-11-16T08:00")  # due 19/11 17:00: overdue by 5 days
    hand_over(ctx, late, BODY, at=at("2026-11-16T09:00"))
    today = received(ctx, "2026-11-19T08:00")  # due Wed 25/11 17:00 (24/11 is off)
    soon = received(ctx, "2026-11-20T08:00")  # due Thu 26/11 17:00
    later = received(ctx, "2026-11-25T08:00")  # due Mon 30/11: beyond two working days
    paused = received(ctx, "2026-11-16T10:00")
    request_supplement(ctx, paused, "Thiếu giấy tờ", (), at=at("2026-11-16T11:00"))
    return {"late": late, "today": today, "soon": soon, "later": later}


def shown_board(session: Session, qtbot: QtBot) -> BoardScreen:
    board = BoardScreen(session)
    qtbot.addWidget(board)
    board.resize(1200, 600)
    with qtbot.waitActive(board):
        board.show()
        board.activateWindow()
    board.setFocus()
    qtbot.waitUntil(lambda: board.counts is not None, timeout=WAIT_MS)
    return board


def wait_rows(qtbot: QtBot, board: BoardScreen, category: Category, rows: int) -> None:
    model = board.models[category]

    def ready() -> bool:
        if model.rowCount() != rows:
            return False
        for row in range(rows):
            model.index(row, 0).data()  # as the view painting would: asks for the page
            if model.item(row) is None:
                return False
        return True

    qtbot.waitUntil(ready, timeout=WAIT_MS)


def cell(board: BoardScreen, category: Category, row: int, column: int) -> str:
    return str(board.models[category].index(row, column).data())


def alt(qtbot: QtBot, key: Qt.Key) -> None:
    qtbot.keyClick(focused(), key, Qt.KeyboardModifier.AltModifier)


def test_labels_carry_the_counts_and_rows_their_colour(
    session: Session, codes: dict[str, str], qtbot: QtBot
) -> None:
    with qtbot.waitSignal(session.runner.idle, timeout=WAIT_MS):
        board = BoardScreen(session)
    qtbot.addWidget(board)
    assert board.counts == BoardCounts(overdue=1, today=1, soon=1, within_days=2)
    assert board.section_label(Category.OVERDUE) == "Quá hạn (1)"
    assert board.section_label(Category.TODAY) == "Đến hạn hôm nay (1)"
    assert board.section_label(Category.SOON) == "Sắp đến hạn (1)"

    board.resize(1200, 600)
    board.show()
    wait_rows(qtbot, board, Category.OVERDUE, 1)
    assert cell(board, Category.OVERDUE, 0, COL_CODE) == codes["late"]
    assert cell(board, Category.OVERDUE, 0, COL_APPLICANT) == "Lê Thị Hoa"
    assert cell(board, Category.OVERDUE, 0, COL_HOLDER) == BODY
    assert cell(board, Category.OVERDUE, 0, COL_STATUS) == "Đang xử lý"
    assert cell(board, Category.OVERDUE, 0, COL_LATE) == "5 ngày"
    header = board.models[Category.OVERDUE].headerData(COL_LATE, Qt.Orientation.Horizontal)
    assert header == "Quá hạn"

    colours = {}
    for category in Category:
        board.select(category)
        wait_rows(qtbot, board, category, 1)
        brush = board.models[category].index(0, COL_CODE).data(Qt.ItemDataRole.BackgroundRole)
        text = board.models[category].index(0, COL_CODE).data(Qt.ItemDataRole.ForegroundRole)
        colours[category] = brush.color()
        # Dark text on a light background: readable.
        assert brush.color().lightness() > 180 and text.color().lightness() < 60
    late, today, soon = (colours[c] for c in (Category.OVERDUE, Category.TODAY, Category.SOON))
    assert late.red() > late.green() + 30  # red-ish
    assert today.red() > today.blue() + 60 and today.green() > today.blue()  # amber
    assert soon.lightness() > today.lightness()  # light yellow, paler than today's
    assert len({late.name(), today.name(), soon.name()}) == 3
    assert cell(board, Category.TODAY, 0, COL_CODE) == codes["today"]
    assert cell(board, Category.SOON, 0, COL_CODE) == codes["soon"]


def test_keyboard_picks_a_section_and_enter_opens_the_dossier(
    session: Session, codes: dict[str, str], qtbot: QtBot
) -> None:
    board = shown_board(session, qtbot)
    wait_rows(qtbot, board, Category.OVERDUE, 1)
    assert focused() is board.view is board.views[Category.OVERDUE]
    with qtbot.waitSignal(board.open_dossier, timeout=WAIT_MS) as opened:
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert opened.args == [codes["late"]]

    alt(qtbot, Qt.Key.Key_N)  # Đến hạn hôm &nay
    assert board.category is Category.TODAY
    assert focused() is board.view is board.views[Category.TODAY]  # focus follows
    wait_rows(qtbot, board, Category.TODAY, 1)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is board.selector  # the table comes first, then the selector
    qtbot.keyClick(focused(), Qt.Key.Key_Right)
    assert board.selector.currentIndex() == 2  # Sắp đến hạn
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is board.views[Category.SOON]
    wait_rows(qtbot, board, Category.SOON, 1)
    with qtbot.waitSignal(board.open_dossier, timeout=WAIT_MS) as opened:
        qtbot.keyClick(focused(), Qt.Key.Key_Enter)
    assert opened.args == [codes["soon"]]


def test_more_working_days_widen_the_soon_section(
    session: Session, codes: dict[str, str], qtbot: QtBot
) -> None:
    board = shown_board(session, qtbot)
    assert board.section_label(Category.SOON) == "Sắp đến hạn (1)"
    alt(qtbot, Qt.Key.Key_L)  # ngày &làm việc: the spin box
    assert focused() is board.days
    with qtbot.waitSignal(board.counts_changed, timeout=WAIT_MS) as changed:
        qtbot.keyClick(focused(), Qt.Key.Key_Up)
    assert changed.args[0] == BoardCounts(overdue=1, today=1, soon=2, within_days=3)
    assert board.section_label(Category.SOON) == "Sắp đến hạn (2)"
    alt(qtbot, Qt.Key.Key_S)
    wait_rows(qtbot, board, Category.SOON, 2)
    assert [cell(board, Category.SOON, r, COL_CODE) for r in (0, 1)] == [
        codes["soon"],
        codes["later"],
    ]


def test_changed_and_the_clock_refresh_the_board(
    session: Session, codes: dict[str, str], qtbot: QtBot
) -> None:
    board = shown_board(session, qtbot)
    assert board.timer.isActive() and board.timer.interval() == REFRESH_MS
    received(session.ctx, "2026-11-13T08:00")  # due Wed 18/11: overdue by a week
    with qtbot.waitSignal(board.counts_changed, timeout=WAIT_MS) as changed:
        session.changed.emit()
    assert changed.args[0].overdue == 2
    assert board.section_label(Category.OVERDUE) == "Quá hạn (2)"
    wait_rows(qtbot, board, Category.OVERDUE, 2)
    assert cell(board, Category.OVERDUE, 0, COL_LATE) == "6 ngày"  # the most overdue first
    with qtbot.waitSignal(board.counts_changed, timeout=WAIT_MS):
        board.timer.timeout.emit()  # the minute tick reads again, from "now"
    assert board.section_label(Category.OVERDUE) == "Quá hạn (2)"


def test_empty_board_says_zero(session: Session, qtbot: QtBot) -> None:
    board = shown_board(session, qtbot)
    assert [board.section_label(c) for c in Category] == [
        "Quá hạn (0)",
        "Đến hạn hôm nay (0)",
        "Sắp đến hạn (0)",
    ]
    assert board.view.model().rowCount() == 0
    with qtbot.assertNotEmitted(board.open_dossier):
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
