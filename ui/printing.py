"""Printing a PDF the way it looks on screen: each page rendered to an image.

Qt has no vector PDF-to-printer path; rendering each ``QPdfDocument`` page at the
printer's resolution and painting it full-page keeps every page exactly as previewed.
The slips are A5 (DOMAIN.md §2), so the printer is set to A5 before the dialog opens.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

# Above 300 dpi the images grow (an A5 page at 600 dpi is ~70 MB) without a visible gain
# for a slip; 300 dpi still draws the 0.38 mm barcode module over 4 dots.
MAX_DPI = 300
A5_LONG_SIDE_PT = 210 / 25.4 * 72


def a5_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    # The PDF carries its own margins; print the page edge to edge as it was laid out.
    printer.setFullPage(True)
    return printer


def printer_for(document: QPdfDocument) -> QPrinter:
    """A5 portrait for the slips; A4 (landscape if the page is) for the register and the
    reports, matched to the document's first page."""
    size = document.pagePointSize(0)
    if max(size.width(), size.height()) <= A5_LONG_SIDE_PT + 2:
        return a5_printer()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    landscape = size.width() > size.height()
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    printer.setFullPage(True)
    return printer


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Paint every page of ``document`` on ``printer``; returns the number of pages."""
    pages = document.pageCount()
    if pages <= 0:
        return 0
    dpi = min(printer.resolution(), MAX_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("printer refused to start")
    try:
        for page in range(pages):
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = document.render(page, size)
            target = QRectF(painter.viewport())
            # Keep the page's proportions inside the paper (centred if they differ).
            scale = min(target.width() / size.width(), target.height() / size.height())
            width, height = size.width() * scale, size.height() * scale
            left = target.left() + (target.width() - width) / 2
            top = target.top() + (target.height() - height) / 2
            painter.drawImage(QRectF(left, top, width, height), image)
    finally:
        painter.end()
    return pages
