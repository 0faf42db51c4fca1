"""HTTP helpers shared by every app."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse


def file_response(rendered: tuple[str, str, bytes], *, inline: bool = False) -> HttpResponse:
    filename, content_type, content = rendered
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
