"""The paged table model: a million rows scroll without reading what the view never shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.services.context import CounterContext
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.search import count_matches, search
from tests.ui.conftest import WAIT_MS
from ui.background import BackgroundRunner
from ui.paged_model import LOADING, ItemRole, PagedTableModel

MILLION = 1_000_000


@dataclass(frozen=True)
class Row:
    number: int

    @property
    def name(self) -> str:
        return f"Hồ sơ {self.number}"


class FakeSource:
    """``total`` rows numbered from 0; remembers every page it was asked for."""

    def __init__(self, total: int, page_size: int = 100) -> None:
        self.total = total
        self.page_size = page_size
        self.asked: list[tuple[int, int]] = []
        self.counts = 0

    def fetch(self, offset: int, limit: int) -> list[Row]:
        self.asked.append((offset, limit))
        return [Row(n) for n in range(offset, min(self.total, offset + limit))]

    def count(self) -> int:
        self.counts += 1
        return self.total

    @property
    def pages(self) -> set[int]:
        return {offset // self.page_size for offset, _ in self.asked}


COLUMNS = [("Số", lambda row: row.number), ("Tên", lambda row: row.name)]


def shown_rows(view: QTableView) -> tuple[int, int]:
    top = view.rowAt(0)
    bottom = view.rowAt(view.viewport().height() - 1)
    return top, bottom


def test_a_million_rows_scroll_to_the_end_reading_only_the_pages_shown(qtbot: QtBot) -> None:
    source = FakeSource(MILLION)
    model: PagedTableModel[Row] = PagedTableModel(COLUMNS, source.fetch, source.count)
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)

    assert model.rowCount() == MILLION
    assert source.counts == 1
    qtbot.waitUntil(lambda: bool(source.asked), timeout=WAIT_MS)  # painted
    assert source.pages == {0}  # the first screenful, nothing more

    last_page = (MILLION - 1) // source.page_size
    view.scrollToBottom()
    qtbot.waitUntil(lambda: last_page in source.pages, timeout=WAIT_MS)
    top, bottom = shown_rows(view)
    assert bottom == MILLION - 1
    assert view.model().index(bottom, 1).data() == f"Hồ sơ {MILLION - 1}"
    # The last screenful may straddle two pages; nothing between the ends was read.
    assert source.pages <= {0, last_page - 1, last_page}
    assert len(source.asked) <= 3

    view.scrollTo(model.index(500_000, 0), QTableView.ScrollHint.PositionAtTop)
    qtbot.waitUntil(lambda: 5000 in source.pages, timeout=WAIT_MS)
    top, _ = shown_rows(view)
    assert top == 500_000
    assert model.index(500_000, 0).data() == "500000"
    assert len(source.asked) <= 5


def test_the_page_cache_stays_bounded_and_rereads_what_it_dropped() -> None:
    source = FakeSource(10_000, page_size=10)
    model: PagedTableModel[Row] = PagedTableModel(
        COLUMNS, source.fetch, source.count, page_size=10, max_pages=4
    )
    for row in range(0, 10_000, 10):
        assert model.index(row, 1).data() == f"Hồ sơ {row}"
    assert len(model.loaded_pages()) == 4
    asked = len(source.asked)
    assert model.index(9_999, 0).data() == "9999"  # still at hand: no read
    assert len(source.asked) == asked
    assert model.index(0, 0).data() == "0"  # dropped long ago: read again
    assert len(source.asked) == asked + 1
    assert model.index(5, 0).data(ItemRole) == Row(5)


def test_without_a_count_rows_arrive_a_page_at_a_time_until_a_short_page() -> None:
    source = FakeSource(250)
    model: PagedTableModel[Row] = PagedTableModel(COLUMNS, source.fetch)
    assert model.rowCount() == 0 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 100
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 250
    assert not model.canFetchMore()
    assert model.index(249, 1).data() == "Hồ sơ 249"
    assert source.pages == {0, 1, 2}


def test_refresh_counts_again_and_forgets_pages() -> None:
    source = FakeSource(30)
    model: PagedTableModel[Row] = PagedTableModel(COLUMNS, source.fetch, source.count)
    assert model.index(29, 0).data() == "29"
    source.total = 40
    model.refresh()
    assert model.rowCount() == 40
    assert model.loaded_pages() == []
    assert model.index(39, 0).data() == "39"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Tên"
    assert model.rowCount(model.index(0, 0)) == 0  # a table: no child rows


def test_background_reads_show_a_placeholder_until_the_page_lands(qtbot: QtBot) -> None:
    source = FakeSource(MILLION)
    runner = BackgroundRunner()
    with qtbot.waitSignal(runner.idle, timeout=WAIT_MS):
        model: PagedTableModel[Row] = PagedTableModel(
            COLUMNS, source.fetch, source.count, runner=runner.run
        )
    assert model.rowCount() == MILLION
    assert model.index(0, 1).data() == "Hồ sơ 0"  # the first page came with the count
    index = model.index(123_456, 1)
    assert model.index(123_456, 0).data() == LOADING
    assert index.data() is None
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS) as changed:
        pass
    first, last = changed.args[0], changed.args[1]
    assert first.row() <= 123_456 <= last.row()
    assert index.data() == "Hồ sơ 123456"
    assert source.pages == {0, 1234}
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT_MS)


def test_a_failed_read_is_reported_once_not_retried_on_every_paint(qtbot: QtBot) -> None:
    calls: list[int] = []

    def broken(offset: int, limit: int) -> Sequence[Row]:
        calls.append(offset)
        raise OSError("ổ đĩa hỏng")

    model: PagedTableModel[Row] = PagedTableModel(COLUMNS, broken, lambda: 500)
    errors: list[object] = []
    model.failed.connect(errors.append)
    for _ in range(3):
        assert model.index(0, 0).data() == LOADING
    assert len(calls) == 1 and len(errors) == 1
    model.refresh()
    model.index(0, 0).data()
    assert len(calls) == 2


@pytest.fixture
def searched(counter: CounterContext) -> CounterContext:
    for name, number in [("Nguyễn Văn Đức", 12345), ("Nguyễn Thị Hoà", 12346), ("Lê Hòa", 12347)]:
        applicant = ApplicantInput(
            name=name,
            id_number=f"001{'0' if 'Văn' in name else '1'}90{number:06d}",
            dob=date(1990, 5, 1),
            sex=Sex.MALE if "Văn" in name else Sex.FEMALE,
            address="Thôn Đông, xã An Hòa",
            phone="0912345678",
        )
        receive(counter, IntakeRequest("2.000815", applicant, allow_duplicate=True))
    return counter


def test_search_results_page_through_the_model(searched: CounterContext) -> None:
    text = "hoa"
    model: PagedTableModel[object] = PagedTableModel(
        [("Mã hồ sơ", lambda s: s.code), ("Người nộp", lambda s: s.applicant_name)],
        lambda offset, limit: search(searched, text, limit=limit, offset=offset),
        lambda: count_matches(searched, text),
        page_size=1,
    )
    assert model.rowCount() == 2
    names = [model.index(row, 1).data() for row in range(model.rowCount())]
    assert names == ["Lê Hòa", "Nguyễn Thị Hoà"]
    assert model.index(2, 1).data() is None
