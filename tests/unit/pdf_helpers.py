"""Look at a rendered PDF the way a user (or a scanner) would: page sizes, the text a
reader sees, the barcodes a scanner decodes, the fonts embedded. Shared by form tests."""

from __future__ import annotations

import re
import unicodedata

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image

MM_PER_INCH = 25.4
CODE128 = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.Code128)


def normalize(text: str) -> str:
    """NFC, and every run of whitespace (line breaks included) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, normalized (wrapped lines joined with a space)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for page in doc:
            textpage = page.get_textpage()
            texts.append(normalize(textpage.get_text_range()))
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) of each page in points."""
    doc = pdfium.PdfDocument(pdf)
    try:
        sizes = []
        for page in doc:
            width, height = page.get_size()
            sizes.append((float(width), float(height)))
            page.close()
        return sizes
    finally:
        doc.close()


def text_extents(pdf: bytes) -> list[tuple[float, float, float, float]]:
    """Per page, the box (left, bottom, right, top) in points holding all its text."""
    doc = pdfium.PdfDocument(pdf)
    try:
        extents = []
        for page in doc:
            textpage = page.get_textpage()
            rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
            extents.append(
                (
                    min(r[0] for r in rects),
                    min(r[1] for r in rects),
                    max(r[2] for r in rects),
                    max(r[3] for r in rects),
                )
            )
            textpage.close()
            page.close()
        return extents
    finally:
        doc.close()


def render_pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Each page as a greyscale image at ``dpi``."""
    doc = pdfium.PdfDocument(pdf)
    try:
        images = []
        for page in doc:
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            images.append(bitmap.to_pil().convert("L"))
            page.close()
        return images
    finally:
        doc.close()


def decode_code128(image: Image.Image) -> list[str]:
    """The Code 128 values a scanner would read in ``image``."""
    found = zxingcpp.read_barcodes(image, formats=CODE128)
    return [b.text for b in found]


def narrowest_bar_mm(image: Image.Image, dpi: int) -> tuple[float, int]:
    """Find the Code 128 on the page and measure it along its middle scan line.

    Returns (narrowest dark run in mm, number of dark runs = bars). Raises AssertionError
    when no barcode is found.
    """
    found = zxingcpp.read_barcodes(image, formats=CODE128)
    assert found, "no Code 128 on the page"
    pos = found[0].position
    xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
    ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
    y = (min(ys) + max(ys)) // 2
    x0, x1 = max(0, min(xs) - 20), min(image.width, max(xs) + 20)
    row = [image.getpixel((x, y)) for x in range(x0, x1)]
    runs: list[int] = []
    length = 0
    for value in [*row, 255]:
        if isinstance(value, int) and value < 128:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    return min(runs) / dpi * MM_PER_INCH, len(runs)


def font_names(pdf: bytes) -> set[str]:
    """The /BaseFont names in the file (subset prefixes like "AAAAAA+" removed)."""
    names = re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_.]+)", pdf)
    return {n.decode().split("+", 1)[-1] for n in names}


def metadata(pdf: bytes) -> dict[str, str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return dict(doc.get_metadata_dict())
    finally:
        doc.close()
