"""Small building blocks the screens share: inline error labels and typed-text helpers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QLabel, QWidget

ERROR_STYLE = "color: #b3261e;"
HINT_STYLE = "color: #5f6368;"


class ErrorLabel(QLabel):
    """A red message under a field; takes no space while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.hide()

    def set_error(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))

    @property
    def message(self) -> str:
        return self.text()


def hint_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet(HINT_STYLE)
    label.setWordWrap(True)
    return label


def single_tab_stop(group: QButtonGroup) -> None:
    """Make a radio group one Tab stop (the checked button); the arrows move within it.

    Qt only arranges this once a button of the group has had focus, so a group the clerk
    reaches with Shift+Tab, or one reset by code, would otherwise stop on every button.
    """

    def fix(*_args: object) -> None:
        for button in group.buttons():
            policy = button.focusPolicy()
            if button.isChecked():
                button.setFocusPolicy(policy | Qt.FocusPolicy.TabFocus)
            else:
                button.setFocusPolicy(Qt.FocusPolicy(policy & ~Qt.FocusPolicy.TabFocus))

    group.buttonToggled.connect(fix)
    fix()
