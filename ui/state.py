"""Per-machine UI state (window geometry): QSettings, never the business database."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "MotCua"
APPLICATION = "Counter"


def window_settings() -> QSettings:
    # INI everywhere: one readable file per Windows user instead of registry keys, and
    # tests can point QSettings.setPath at a temporary folder.
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )
