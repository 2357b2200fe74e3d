"""Text of a PDF file, for tests outside tests/unit."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdfium2 as pdfium


def pdf_text(path: Path) -> str:
    doc = pdfium.PdfDocument(str(path))
    try:
        return unicodedata.normalize(
            "NFC", "\n".join(page.get_textpage().get_text_range() for page in doc)
        )
    finally:
        doc.close()
