"""The sync in the status bar: "Đồng bộ: n chờ gửi · lần cuối HH:MM", red when the last
round failed or the hub refused items, an amber clock warning, a round's progress while it
runs. A click (or F9) opens the sync window. One background read of the sync state; the
round itself (``ui.sync_controller``) is attached with the first use of the sync window.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from counter_app.domain.clock import now_vn, to_vn
from ui.session import Session
from ui.widgets import ERROR_STYLE

if TYPE_CHECKING:
    # Annotations only: PySide6 builds a class on first use, ~0.7 ms each at start-up.
    from PySide6.QtGui import QMouseEvent, QResizeEvent

    from counter_app.sync.engine import SyncProgress
    from counter_app.sync.state import SyncStatus
    from ui.sync_controller import SyncController

log = logging.getLogger(__name__)

CLOCK_PADDING = 12  # the horizontal padding of CLOCK_STYLE, both sides
CLOCK_STYLE = "color: #5c3a00; background: #ffe08a; padding: 0 6px;"
SPACING = 8
PANEL_TIP = "Nhấp chuột hoặc bấm F9 để mở cửa sổ đồng bộ với máy chủ huyện."


def read_status() -> SyncStatus:
    """On a worker."""
    from counter_app.sync.state import sync_status

    return sync_status()


# --- wording shared by the panel and the dialog -----------------------------------------------


def when(moment: datetime | None, *, short: bool = False) -> str:
    """``HH:MM`` today; another day ``HH:MM dd/mm/yyyy`` (``dd/mm HH:MM`` when short)."""
    if moment is None:
        return ""
    moment = to_vn(moment)
    if moment.date() == now_vn().date():
        return f"{moment:%H:%M}"
    return f"{moment:%d/%m %H:%M}" if short else f"{moment:%H:%M %d/%m/%Y}"


def stopped_early(status: SyncStatus) -> bool:
    """The last round was cancelled: no error, and no success since it started."""
    last, ok = status.last_sync_at, status.last_ok_at
    return last is not None and not status.last_error and (ok is None or ok < last)


def clock_minutes(offset_s: int) -> int:
    return max(1, round(abs(offset_s) / 60))


def clock_warning_text(offset_s: int) -> str:
    return f"⚠ Đồng hồ lệch {clock_minutes(offset_s)} phút so với huyện"


def clock_detail(offset_s: int) -> str:
    """The offset is the hub's clock minus this PC's: positive means this PC is behind."""
    way = "chậm" if offset_s > 0 else "nhanh"
    return (
        f"Đồng hồ máy này {way} hơn máy chủ huyện khoảng {clock_minutes(offset_s)} phút. "
        "Giờ tiếp nhận và ngày hẹn trả lấy theo đồng hồ máy này: hãy chỉnh lại giờ máy."
    )


def progress_text(progress: SyncProgress | None, cancelling: bool) -> str:
    if cancelling:
        return "Đồng bộ: đang dừng…"
    if progress is None:
        return "Đồng bộ: đang kết nối…"
    if progress.phase == "push":
        return f"Đồng bộ: đang gửi {progress.done}/{progress.total or 0}…"
    if progress.phase == "retry":
        return f"Đồng bộ: mất kết nối, thử lại lần {progress.done}…"
    return f"Đồng bộ: đang nhận từ huyện… ({progress.done})"


# --- the status-bar widget ------------------------------------------------------------------


class SyncPanel(QWidget):
    activated = Signal()  # clicked: open the sync dialog

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.controller: SyncController | None = None
        self.status: SyncStatus | None = None
        self._loading = False
        self._again = False
        self._variants: list[tuple[str, str]] = [("", "Đồng bộ: …")]  # (warning, text)
        self.label = QLabel(self._variants[0][1])
        self.clock_label = QLabel()
        self.clock_label.setStyleSheet(CLOCK_STYLE)
        self.clock_label.hide()
        for label in (self.label, self.clock_label):
            label.setMinimumWidth(1)  # the panel decides how long a form fits (``_fit``)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        layout.addWidget(self.clock_label)
        layout.addWidget(self.label, 1)  # room to spare goes after the text, not the warning
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(PANEL_TIP)

    def ensure_controller(self) -> SyncController:
        """The one sync round runner (made on first use; it outlives the sync window)."""
        if self.controller is None:
            from ui.sync_controller import SyncController

            c = self.controller = SyncController(self.session, self)
            for signal in (c.started, c.progressed, c.cancelling):
                signal.connect(self._render)
            c.finished.connect(self.refresh)
            c.failed.connect(self.refresh)
        return self.controller

    def cancel_sync(self) -> None:
        if self.controller is not None:
            self.controller.cancel()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit()
            event.accept()
            return
        super().mousePressEvent(event)

    @property
    def text(self) -> str:
        """What the label shows now (a shorter form when the status bar is narrow)."""
        return self.label.text()

    @property
    def full_text(self) -> str:
        """The label's longest form (also in the tooltip)."""
        return self._variants[0][1]

    @property
    def failing(self) -> bool:
        """Shown in red: the last round failed, or the hub refused something."""
        if self.controller is not None and self.controller.last_failure:
            return True
        s = self.status
        return s is not None and bool(s.last_error or s.issues)

    # --- fitting the status bar: the longest form that fits, down to a compact one ---------

    def _width(self, warning: str, text: str) -> int:
        width = self.label.fontMetrics().horizontalAdvance(text) + 4
        if warning:
            advance = self.clock_label.fontMetrics().horizontalAdvance(warning)
            width += advance + CLOCK_PADDING + SPACING + 4
        margins = self.contentsMargins()
        return width + margins.left() + margins.right()

    def sizeHint(self) -> QSize:
        return QSize(self._width(*self._variants[0]), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self._width(*self._variants[-1]), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.width()
        warning, text = next(
            (v for v in self._variants if self._width(*v) <= room), self._variants[-1]
        )
        self.label.setText(text)
        self.clock_label.setText(warning)
        self.clock_label.setVisible(bool(warning))

    def refresh(self) -> None:
        """Read the sync state again (one background op; calls made meanwhile coalesce)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.session.op(self, read_status, self._loaded, on_error=self._not_loaded, writes=False)

    def _loaded(self, status: SyncStatus) -> None:
        self._loading = False
        self.status = status
        self._render()
        if self._again:
            self._again = False
            self.refresh()

    def _not_loaded(self, exc: BaseException) -> None:
        self._loading = False
        self._again = False
        log.warning("sync status failed: %s", exc)

    def _render(self, *_args: object) -> None:
        s, c = self.status, self.controller
        running = c is not None and c.running
        failure = c.last_failure if c is not None else ""
        pending = "…" if s is None else str(s.pending)
        # While a round runs its progress replaces the count (which it is changing).
        if c is not None and running:
            head = progress_text(c.progress, c.cancel_requested)
        else:
            head = f"Đồng bộ: {pending} chờ gửi"
        details: list[tuple[str, str]] = []  # (full, compact; "" leaves it out)
        tips = [PANEL_TIP]
        if s is not None and not running:
            if s.issues:
                details.append((f"{s.issues} lỗi", f"{s.issues} lỗi"))
                tips.append(
                    f"Có {s.issues} vấn đề đồng bộ (huyện từ chối hoặc không áp dụng được)."
                )
            if failure:
                details.append(("không chạy được", "không chạy được"))
                tips.append(failure)
            elif not s.configured:
                details.append(("chưa cài máy chủ", ""))
            elif s.last_error:
                details.append((f"thất bại lúc {when(s.last_sync_at, short=True)}", "thất bại"))
                tips.append(f"Lần đồng bộ gần nhất bị lỗi: {s.last_error}")
            elif stopped_early(s):
                details.append((f"đã dừng lúc {when(s.last_sync_at, short=True)}", "đã dừng"))
            elif s.last_ok_at is not None:
                details.append((f"lần cuối {when(s.last_ok_at, short=True)}", ""))
            else:
                details.append(("chưa đồng bộ", ""))
        full = " · ".join([head, *(f for f, _c in details)])
        compact = " · ".join([head, *(c for _f, c in details if c)])
        offset = s.clock_offset_s if s is not None and s.clock_warning else None
        long_warning = clock_warning_text(offset) if offset is not None else ""
        short_warning = f"⚠ Lệch giờ {clock_minutes(offset)} phút" if offset is not None else ""
        variants = [(long_warning, full), (long_warning, compact), (short_warning, compact)]
        self._variants = [v for n, v in enumerate(variants) if v not in variants[:n]]
        if offset is not None:
            self.clock_label.setToolTip(f"{long_warning}.\n{clock_detail(offset)}")
            tips.insert(0, clock_detail(offset))
        self.label.setStyleSheet(ERROR_STYLE if self.failing and not running else "")
        self.setToolTip("\n".join([full, *tips]))
        self.updateGeometry()
        self._fit()
