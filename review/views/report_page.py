"""The report's page: its heading, then the editor for the school's writers (kept rendered
between requests) or the report as it stands for everyone else who may read it (R2–R4)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from indicators.models import Point
from indicators.selectors import GUIDE_STAMP
from review import selectors
from review.forms import ReopenForm, SchoolPointForm, SubmitForm
from review.models import SelfDiagnosis
from review.permissions import can_reopen, can_write
from review.services.limits import ELEMENT_FIELDS, OVERVIEW_LIMIT
from schools.signals import PEOPLE
from statedata import selectors as statedata
from zhengai import stampcache
from zhengai.release import release
from zhengai.stampcache import key_of


def _elements_with_refs(forms):
    """The editor's elements (cached plain data) with their points' platform refs, read in
    one query and only when there is state data to show beside them."""
    points: dict[int, list] = {}
    for element_id, name, refs in Point.objects.filter(
        element_id__in=[form.element.pk for form in forms]
    ).values_list("element_id", "name", "platform_refs"):
        points.setdefault(element_id, []).append(SimpleNamespace(name=name, platform_refs=refs))
    for form in forms:
        yield SimpleNamespace(code=form.element.code, points=points.get(form.element.pk, []))


def _attach_state_data(report, projects) -> None:
    """Beside each element the school writes, its points' state data for the three years
    before the report's, with the warnings (the figures the experts will see too)."""
    forms = [form for _, project_forms in projects for form in project_forms]
    drawn = statedata.element_figures_html(
        school=report.school,
        years=statedata.years_before(report.year),
        codes=[form.element.code for form in forms],
        elements=lambda: _elements_with_refs(forms),
    )
    for form in forms:
        form.statedata_html = drawn.get(form.element.code, "")


# The element cards are the editor's largest cost: 15 of them, each with three texts, the
# state data beside them and the guidance (bench/bench_pages.py). Each is rendered once and
# stored under a key made of everything it shows; a save, a new school point, a changed
# indicator or new state data makes a new key, so a stored card is never out of date. A card
# with an edit conflict or an error in it is rendered for the request and never stored.
CARD_TEMPLATE = "review/_element_card.html"
EDITOR_TEMPLATE = "review/_editor.html"
CARD_SECONDS = 7 * 24 * 60 * 60


def _card_key(report, form) -> str | None:
    if form.conflicts or any(row["error"] for row in form.rows):
        return None
    entry = form.entry
    saved_by = (str(entry.updated_by), entry.modified.isoformat()) if entry.updated_by else ()
    return key_of(
        "editor-card",
        release(),  # a deploy never serves a card the previous templates made
        report.pk,
        form.element.digest,
        entry.pk,
        form.revision,
        [row["value"] for row in form.rows],
        saved_by,
        [(sp.pk, sp.name, sp.description) for sp in form.school_points],
        form.hints,
        form.statedata_html,
    )


def _element_cards(report, projects) -> None:
    """Set ``form.card`` on each element: stored markup (one round trip for all 15), else
    rendered now and stored."""
    forms = [form for _, project_forms in projects for form in project_forms]
    keys = {form.element.code: _card_key(report, form) for form in forms}
    stored = cache.get_many([key for key in keys.values() if key])
    history_url = reverse("review:history", kwargs={"pk": report.pk})
    new = {}
    for form in forms:
        key = keys[form.element.code]
        card = stored.get(key) if key else None
        if card is None:
            card = render_to_string(CARD_TEMPLATE, {"form": form, "history_url": history_url})
            if key:
                new[key] = card
        form.card = mark_safe(card)  # noqa: S308 (rendered by the template engine, escaped)
    if new:
        cache.set_many(new, timeout=CARD_SECONDS)


# The editor below the report's heading is kept rendered (``_stored_editor``) until a row it
# shows changes; what differs per request is put in: the CSRF token and the save bar's
# messages. The holes hold a NUL, which no text a person sends can (the middleware refuses it).
CSRF_HOLE = "\x00csrf\x00"
MESSAGES_HOLE = "\x00messages\x00"


def _editor_context(report, *, posted=None, errors=None, **extra) -> dict:
    """What ``review/_editor.html`` shows: the page's data, with what was typed and the
    problems found when a save or a submission was refused."""
    page = selectors.edit_page(report)
    posted = posted or {}
    errors = errors or {}
    for _, forms in page["projects"]:
        for form in forms:
            code = form.element.code
            form.rows = [
                {
                    "name": name,
                    "label": label,
                    "limit": limit,
                    "id": f"e{code}-{name}",
                    "value": posted.get(f"e{code}-{name}", getattr(form.entry, name)),
                    "error": errors.get(f"e{code}-{name}"),
                }
                for name, label, limit in ELEMENT_FIELDS
            ]
            form.revision = posted.get(f"e{code}-rev", form.entry.revision)
    _attach_state_data(report, page["projects"])
    _element_cards(report, page["projects"])
    return page | {
        "report": report,
        "limits": {"overview": OVERVIEW_LIMIT, **{n: lim for n, _, lim in ELEMENT_FIELDS}},
        "fields": ELEMENT_FIELDS,
        "reopenings": report.reopenings.select_related("by"),
        "overview_value": posted.get("overview", report.overview),
        "overview_revision": posted.get("overview-rev", report.revision),
        "overview_error": errors.get("overview"),
        "submit_form": SubmitForm(initial={"signed_on": timezone.localdate()}),
        "point_form": SchoolPointForm(),
        "bar_messages": MESSAGES_HOLE,
        **extra,  # a failed submission passes its own form (and no checklist)
    }


def _stored_editor(report_pk: int) -> str:
    """The editor of a report nobody is being shown a refusal on, from the store: made again
    when the report's rows, the indicator system, its state data or a name shown changes,
    and each day (the signing date offered is today's)."""

    def make() -> str:
        # Read after the stamps (``stampcache.cached``): never older than the stamps it is
        # stored under.
        report = SelfDiagnosis.objects.select_related("school", "system").get(pk=report_pk)
        context = _editor_context(report) | {"csrf_token": CSRF_HOLE}
        return render_to_string(EDITOR_TEMPLATE, context)

    key = key_of("report-editor", report_pk, timezone.localdate().isoformat())
    stamps = (selectors.editor_stamp(report_pk), statedata.STAMP, GUIDE_STAMP, PEOPLE)
    return stampcache.cached(key, make, stamps=stamps)


def _bar_messages(request) -> str:
    shown = list(messages.get_messages(request))
    if not shown:
        return ""
    items = format_html_join("", '<li class="{}">{}</li>', ((m.tags, m) for m in shown))
    return format_html('<ul class="messages in-bar">{}</ul>', items)


def report_response(request, report, *, status=200, posted=None, errors=None, **extra):
    writable = can_write(request.user, report)
    context = {"report": report, "writable": writable}
    if writable:
        if posted or errors or extra:
            # A refused save or submission: this request's own page, with what was typed.
            context_ = _editor_context(report, posted=posted, errors=errors, **extra)
            editor = render_to_string(EDITOR_TEMPLATE, context_, request)
        else:
            editor = _stored_editor(report.pk).replace(CSRF_HOLE, get_token(request))
        editor = editor.replace(MESSAGES_HOLE, _bar_messages(request))
        context["editor"] = mark_safe(editor)  # noqa: S308 (rendered by the engine, escaped)
    else:
        context |= {
            "can_reopen": can_reopen(request.user) and not report.is_draft,
            "reopenings": report.reopenings.select_related("by"),
            "data": selectors.report_data(report),
            "reopen_form": ReopenForm(),
            **extra,
        }
    return render(request, "review/report.html", context, status=status)
