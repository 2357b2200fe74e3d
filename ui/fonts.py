"""The bundled DejaVu Sans family as the application font (no system font dependence)."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from counter_app.documents.fonts import font_files

log = logging.getLogger(__name__)

FALLBACK_FAMILY = "DejaVu Sans"
# 10 pt is ~13 px at 96 dpi: readable at 1366×768 without cramping the intake form.
POINT_SIZE = 10

_family: str | None = None


def load_fonts() -> str:
    """Register the bundled TTFs with Qt once; return the family name."""
    global _family
    if _family is not None:
        return _family
    family = FALLBACK_FAMILY
    for style, path in font_files().items():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load bundled font %s (%s)", path, style)
            continue
        families = QFontDatabase.applicationFontFamilies(font_id)
        if families:
            family = families[0]
    _family = family
    return family


def apply_app_font(app: QApplication) -> QFont:
    font = QFont(load_fonts(), POINT_SIZE)
    app.setFont(font)
    return font
