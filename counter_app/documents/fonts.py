"""The bundled font family every document is drawn in.

reportlab's built-in fonts (Helvetica & co.) are WinAnsi only and cannot show Vietnamese,
and system fonts differ from machine to machine, so every PDF (and the Qt side, through
:func:`font_files`) uses the DejaVu Sans TTFs shipped in ``resources/fonts``.

Registration parses four TTFs (~100 ms), so it happens once per process, under a lock:
renderers may run on a background thread while the UI asks for the family too.
"""

from __future__ import annotations

import threading
from pathlib import Path

from counter_app.resources import resource_path

FAMILY = "CounterSans"
FONT_REGULAR = "CounterSans"
FONT_BOLD = "CounterSans-Bold"
FONT_ITALIC = "CounterSans-Italic"
FONT_BOLD_ITALIC = "CounterSans-BoldItalic"

# style -> (reportlab font name, file in resources/fonts)
_FACES: dict[str, tuple[str, str]] = {
    "regular": (FONT_REGULAR, "DejaVuSans.ttf"),
    "bold": (FONT_BOLD, "DejaVuSans-Bold.ttf"),
    "italic": (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
    "bolditalic": (FONT_BOLD_ITALIC, "DejaVuSans-BoldOblique.ttf"),
}

_lock = threading.Lock()
_registered = False


def font_files() -> dict[str, Path]:
    """The TTF of each style ("regular", "bold", "italic", "bolditalic")."""
    return {style: resource_path("fonts", filename) for style, (_, filename) in _FACES.items()}


def register_fonts() -> None:
    """Register the family in reportlab (idempotent, thread-safe).

    Also turns off reportlab's ASCII85 stream encoding (a process-wide setting): it only
    matters for 7-bit mail channels, and it cost 3 ms and a quarter of the size of every
    slip (the embedded font subsets).

    Raises FileNotFoundError when a bundled TTF is missing (a broken install).
    """
    global _registered
    if _registered:  # fast path without the lock: set only once everything is registered
        return
    with _lock:
        if _registered:
            return
        # Imported here, not at module level: the GUI asks for font_files() at start-up and
        # must not pay for reportlab before the first receipt.
        from reportlab import rl_config
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        rl_config.useA85 = 0
        files = font_files()
        for style, (name, _) in _FACES.items():
            path = files[style]
            if not path.is_file():
                raise FileNotFoundError(f"bundled font missing: {path}")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # The family mapping lets platypus <b>/<i> markup (later forms) pick the right face.
        pdfmetrics.registerFontFamily(
            FAMILY,
            normal=FONT_REGULAR,
            bold=FONT_BOLD,
            italic=FONT_ITALIC,
            boldItalic=FONT_BOLD_ITALIC,
        )
        _registered = True
