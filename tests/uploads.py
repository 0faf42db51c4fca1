"""Real small files for upload tests: a PDF that parses, Office zips that open."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfWriter


def tiny_pdf(text: str = "") -> bytes:
    """A real one-page PDF; ``text`` goes into its title, so each text gives other bytes."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/{main}" ContentType="application/xml"/></Types>'
)


def office_zip(main: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Office zip with ``main`` (word/document.xml or xl/workbook.xml) declared."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML.format(main=main))
        archive.writestr(main, '<?xml version="1.0"?><document/>')
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()
