"""One confirmation step for every public or irreversible action (house style 16).

A step's view builds a :class:`Confirmation` — what will happen, who will see it, whether it
can be undone — and acts only on a POST that carries ``confirm=yes``. A GET, or a POST without
that field, shows the summary page (``templates/_confirm.html``) and changes nothing; the
page's button posts the same fields back with the confirmation. The service behind each step
refuses a second run (a locked row, a state check), so a double post acts once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


@dataclass
class Confirmation:
    """What a confirmation page says and posts back."""

    title: str
    action: str  # the URL the confirmation posts to
    cancel: str  # where "返回" leads, nothing done
    button: str  # the confirm button's words, e.g. "确认公示"
    happens: list[str] = field(default_factory=list)  # what will happen, one line each
    audience: list[str] = field(default_factory=list)  # who will see it
    irreversible: str = ""  # why it cannot be undone; empty when it can
    problems: list[str] = field(default_factory=list)  # what blocks it: no button then
    fields: dict[str, str] = field(default_factory=dict)  # hidden fields posted back
    details: list[tuple[str, str]] = field(default_factory=list)  # (label, value) summary rows
    back_label: str = "返回，不执行"


def day(value) -> str:
    """A date as Chinese readers write it: 2026 年 5 月 20 日."""
    return f"{value.year} 年 {value.month} 月 {value.day} 日"


def confirmed(request: HttpRequest) -> bool:
    """Whether this request is the confirmed POST of a step (never a GET)."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmation_page(
    request: HttpRequest, confirmation: Confirmation, *, status: int = 200
) -> HttpResponse:
    """The summary page; it changes nothing."""
    return render(
        request,
        "_confirm.html",
        {"c": confirmation, "confirm_field": CONFIRM_FIELD, "confirm_value": CONFIRM_VALUE},
        status=status,
    )
