"""A table model over rows that are read a page at a time, so a million rows stay light.

The model knows only two callables: ``fetch(offset, limit)`` returning rows (any frozen DTO)
and, optionally, ``count()``. Columns are ``(header, getter)`` pairs. It is used for search
results, today's dossiers and the overdue board alike.

- With ``count``: the view gets every row at once (``rowCount() == count()``) and pages
  are read as the view asks for the rows it shows: scrolling to the end of 1,000,000 rows
  reads the first and the last page, nothing between. A bounded cache (least recently
  used) keeps memory flat however far the clerk scrolls.
- Without ``count``: rows arrive as the view scrolls down (``canFetchMore``/``fetchMore``),
  a page at a time, until a page comes back short.

Given a ``runner`` (``BackgroundRunner.run`` or ``Session.runner.run``), every read happens
on a worker and the GUI thread never waits on the disk; a row whose page is on its way
shows "…" until the page lands. Without one, pages are read on the spot (tests, fakes).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, Callable[[Any], object]]
# BackgroundRunner.run: run fn on a worker, then on_done(result) or on_error(exc) here.
Runner = Callable[
    [Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], object
]

PAGE_SIZE = 100
MAX_PAGES = 64
LOADING = "…"
ItemRole = Qt.ItemDataRole.UserRole  # data(index, ItemRole) is the row's item itself


class PagedTableModel(QAbstractTableModel, Generic[T]):
    # After a count or a page lands (views refresh by themselves; tests and labels use it).
    loaded = Signal()
    # A read failed: the screen shows it (ui.errors.show_error); the page is asked again
    # only after refresh().
    failed = Signal(object)

    def __init__(
        self,
        columns: Sequence[Column],
        fetch: Callable[[int, int], Sequence[T]],
        count: Callable[[], int] | None = None,
        *,
        runner: Runner | None = None,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if page_size < 1 or max_pages < 2:
            raise ValueError("page_size >= 1 and max_pages >= 2")
        self._columns = list(columns)
        self._fetch = fetch
        self._count = count
        self._runner = runner
        self._page_size = page_size
        self._max_pages = max_pages
        self._pages: OrderedDict[int, list[T]] = OrderedDict()
        self._pending: set[int] = set()
        self._broken: set[int] = set()
        self._rows = 0
        self._exhausted = count is not None
        self._generation = 0
        self.refresh()

    # --- what the screen uses ---------------------------------------------------------------

    @property
    def page_size(self) -> int:
        return self._page_size

    def refresh(self) -> None:
        """Forget every page and count again (after "changed", or a new search)."""
        self._generation += 1
        generation = self._generation
        if self._count is None:
            self._reset(0, exhausted=False)
            return
        count = self._count
        if self._runner is None:
            try:
                total = count()
            except Exception as exc:
                self._reset(0, exhausted=True)
                self._fail(exc)
                return
            self._reset(total, exhausted=True)
            self.loaded.emit()
            return
        fetch, size = self._fetch, self._page_size

        def work() -> tuple[int, list[T]]:
            # The first page comes with the count: the list shows rows, not "…", at once.
            total = count()
            return total, list(fetch(0, size)) if total else []

        self._runner(
            work,
            lambda result: self._counted(generation, *result),
            lambda exc: self._fail(exc) if generation == self._generation else None,
        )

    def item(self, row: int) -> T | None:
        """The row's item if its page is at hand (never reads: None if not loaded yet)."""
        if not 0 <= row < self._rows:
            return None
        page = self._pages.get(row // self._page_size)
        if page is None:
            return None
        offset = row % self._page_size
        return page[offset] if offset < len(page) else None

    def loaded_pages(self) -> list[int]:
        """Page numbers in the cache, least recently used first."""
        return list(self._pages)

    # --- loading ------------------------------------------------------------------------------

    def _reset(self, rows: int, *, exhausted: bool) -> None:
        self.beginResetModel()
        self._pages.clear()
        self._pending.clear()
        self._broken.clear()
        self._rows = max(0, rows)
        self._exhausted = exhausted
        self.endResetModel()

    def _counted(self, generation: int, total: int, first: list[T]) -> None:
        if generation != self._generation:
            return
        self._reset(total, exhausted=True)
        if first:
            self._store(0, first)
        self.loaded.emit()

    def _fail(self, exc: BaseException) -> None:
        log.warning("paged read failed: %s", exc)
        self.failed.emit(exc)

    def _store(self, number: int, rows: Sequence[T]) -> None:
        self._pages[number] = list(rows)
        self._pages.move_to_end(number)
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)

    def _request(self, number: int) -> list[T] | None:
        """The page if at hand or readable now; else ask for it and return None."""
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        if number in self._pending or number in self._broken:
            return None
        offset, limit = number * self._page_size, self._page_size
        if self._runner is None:
            try:
                rows = list(self._fetch(offset, limit))
            except Exception as exc:
                self._broken.add(number)
                self._fail(exc)
                return None
            self._store(number, rows)
            return self._pages[number]
        self._pending.add(number)
        generation = self._generation
        fetch = self._fetch

        def work() -> list[T]:
            return list(fetch(offset, limit))

        def done(rows: list[T]) -> None:
            if generation != self._generation:
                return
            self._pending.discard(number)
            self._store(number, rows)
            first = number * self._page_size
            last = min(self._rows, first + len(rows)) - 1
            if last >= first:
                self.dataChanged.emit(
                    self.index(first, 0), self.index(last, len(self._columns) - 1)
                )
            self.loaded.emit()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._pending.discard(number)
            self._broken.add(number)
            self._fail(exc)

        self._runner(work, done, failed)
        return None

    # --- paging without a count -------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return False
        return (self._rows // self._page_size) not in self._pending | self._broken

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        number = self._rows // self._page_size
        if self._runner is None:
            self._grow(number, self._request(number))
            return
        generation = self._generation
        offset, limit = number * self._page_size, self._page_size
        fetch = self._fetch
        self._pending.add(number)

        def done(rows: list[T]) -> None:
            if generation != self._generation:
                return
            self._pending.discard(number)
            self._store(number, rows)
            self._grow(number, rows)
            self.loaded.emit()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._pending.discard(number)
            self._broken.add(number)
            self._fail(exc)

        self._runner(lambda: list(fetch(offset, limit)), done, failed)

    def _grow(self, number: int, rows: Sequence[T] | None) -> None:
        if rows is None:
            return
        if len(rows) < self._page_size:
            self._exhausted = True
        first = number * self._page_size
        if rows:
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows = first + len(rows)
            self.endInsertRows()

    # --- model --------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section][0] if 0 <= section < len(self._columns) else None
        return section + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, ItemRole):
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < self._rows or not 0 <= column < len(self._columns):
            return None
        page = self._request(row // self._page_size)
        offset = row % self._page_size
        if page is None or offset >= len(page):
            # On its way (or the source shrank since it was counted: "changed" will reset).
            return LOADING if role == Qt.ItemDataRole.DisplayRole and column == 0 else None
        item = page[offset]
        if role == ItemRole:
            return item
        value = self._columns[column][1](item)
        return None if value is None else str(value)
