"""Telling the clerk something went wrong: a known error as-is, a bug as a bug.

qutebrowser's split: a ``KnownError`` carries a Vietnamese message the clerk can act on
(locked database, full disk, unknown code); anything else is a programming error, which
gets logged with its traceback and a dialog saying so, instead of a silent death.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from counter_app.errors import KnownError

log = logging.getLogger("ui")

UNEXPECTED_TITLE = "Lỗi không mong muốn"
UNEXPECTED_TEXT = (
    "Đã xảy ra lỗi không mong muốn trong chương trình. Thao tác vừa rồi có thể chưa hoàn tất.\n"
    "Hãy báo cho bộ phận kỹ thuật; chi tiết đã được ghi vào nhật ký."
)


def _box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.button(QMessageBox.StandardButton.Ok).setText("Đóng")
    return box


def show_known(parent: QWidget | None, err: KnownError) -> None:
    _box(parent, QMessageBox.Icon.Warning, "Không thực hiện được", err.message).open()


def show_unexpected(parent: QWidget | None, exc: BaseException) -> None:
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    box = _box(parent, QMessageBox.Icon.Critical, UNEXPECTED_TITLE, UNEXPECTED_TEXT)
    box.setDetailedText("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    box.open()


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """The one place an op's failure is shown to the clerk."""
    if isinstance(exc, KnownError):
        log.info("refused: %s", exc.message)
        show_known(parent, exc)
    else:
        show_unexpected(parent, exc)


def install_excepthook() -> None:
    """Errors escaping a slot get logged and shown instead of printed to a hidden console."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt) or QApplication.instance() is None:
            sys.__excepthook__(kind, exc, tb)
            return
        show_error(QApplication.activeWindow(), exc.with_traceback(tb))

    sys.excepthook = hook
