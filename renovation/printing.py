"""What every printout needs: Chinese text in reportlab's built-in CID font (no font files to ship)
and QR codes drawn as vector squares (segno), in PDFs and as inline SVG in print views."""

from __future__ import annotations

import segno
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

PDF_FONT = "STSong-Light"


def pdf_font() -> str:
    """The name of the Chinese font, registered with reportlab on first use."""
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def qr_svg(data: str, *, scale: int = 4) -> str:
    return segno.make(data, error="m").svg_inline(scale=scale, border=2)


def draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code as a size × size square with its lower left corner at (x, y)."""
    qr = segno.make(data, error="m")
    rows = list(qr.matrix_iter(scale=1, border=2))
    cell = size / len(rows)
    for row_index, row in enumerate(rows):
        for column_index, dark in enumerate(row):
            if dark:
                pdf.rect(x + column_index * cell, y + size - (row_index + 1) * cell, cell, cell, stroke=0, fill=1)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` points. Chinese has no spaces to break at, so lines
    break between any two characters (reportlab's simpleSplit breaks only at spaces)."""
    lines: list[str] = []
    line = ""
    for char in text:
        if char == "\n":
            lines.append(line)
            line = ""
            continue
        if line and pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    if line or not lines:
        lines.append(line)
    return lines
