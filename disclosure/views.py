"""The public column: no login, nothing private, cacheable pages (R10, R18).

Every object is looked up through ``selectors`` (disclosed rows only) and anything else
answers 404. Pages use a layout of their own with no account or CSRF content, so a shared
cache may keep them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from disclosure import policy, selectors, services
from disclosure.models import ColumnDocument, DocumentKind
from review.exporters import verdict_pdf as verdict_document
from review.models import Cycle, CycleKind, Material
from review.permissions import get_recheck_for_user, require_provincial
from review.selectors import verdict_report_data
from review.selectors.fair import public_appeals
from review.services.files import stored_file_response
from review.services.verdict import Verdict
from review.services.verdict_document import stored_verdict_pdf
from review.tasks import queue_verdict_pdf
from review.views.materials import withdraw_confirmation
from schools.models import City, School
from schools.permissions import is_provincial
from zhengai import pagecache
from zhengai.confirm import confirmation_page, confirmed

# Anyone may keep a copy, and asks again each time: a 304 while nothing changed (pagecache).
public = cache_control(public=True, no_cache=True)
# Kept rendered on the server until what they show changes (zhengai/pagecache.py).
cached = pagecache.public_page()
# The feed's entry ids: tag:<authority>,<date>:<kind>/<pk> — fixed once, never to change.
FEED_TAG_AUTHORITY = "zhengai.fjvte.column,2026"


def page(request, template: str, context: dict) -> HttpResponse:
    """Render without the request: no account, no CSRF token, no session read, so the page
    is the same for everyone at its address and a shared cache may keep it. The address
    decides the language (/column/… Chinese, /en/column/… English labels), never a cookie."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            **context,
            "languages": language_links(request.get_full_path()),
            "frame_lang": "en" if language == "en" else "zh-Hans",
        }
        response = HttpResponse(render_to_string(template, context))
    response.language_independent = True
    response.headers["Content-Language"] = language
    return response


def feed_address() -> str:
    """One feed for both languages, at its Chinese address: its entries are Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("column:feed")


def language_links(path: str) -> list[dict]:
    """The same page in each language, each named in itself (简体中文 / English)."""
    current = translation.get_language()
    return [
        {
            "code": code,
            "name": translation.get_language_info(code)["name_local"],
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _ in settings.LANGUAGES
    ]


@require_GET
@cached
@public
def home(request):
    today = timezone.localdate()
    return page(
        request,
        "disclosure/home.html",
        {
            "documents": selectors.published_documents()[:10],
            "upcoming": selectors.schedule().filter(start_date__gte=today)[:10],
            "latest": selectors.latest_disclosures(),
            "verdicts": selectors.recent_verdicts(10),
            "cities": City.choices,
        },
    )


@require_GET
@cached
@public
def document(request, slug: str):
    doc = get_object_or_404(selectors.published_documents(), slug=slug)
    return page(
        request, "disclosure/document.html", {"document": doc, "text": policy.parse(doc.body)}
    )


@require_GET
@public
def document_original(request, slug: str):
    """The file a published text was corrected from, byte for byte (its SHA-256 is shown)."""
    doc = get_object_or_404(selectors.published_documents().exclude(original_text=""), slug=slug)
    response = HttpResponse(
        doc.original_text.encode("utf-8"), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, doc.original_name)
    return response


@require_GET
@cached
@public
def documents(request):
    return page(
        request,
        "disclosure/documents.html",
        {"documents": selectors.published_documents(), "kinds": DocumentKind},
    )


@require_GET
@pagecache.public_page(params=("year", "cycle"))
@public
def schedule(request):
    year = request.GET.get("year", "")
    cycle = request.GET.get("cycle", "")
    rechecks = selectors.schedule(
        year=int(year) if year.isdigit() else None, cycle_id=int(cycle) if cycle.isdigit() else None
    )
    return page(
        request,
        "disclosure/schedule.html",
        {
            "rechecks": rechecks,
            "cycles": Cycle.objects.exclude(kind=CycleKind.ANNEX2).order_by("-start_year"),
            "plan": selectors.annex2_plan(),
            "years": sorted(set(selectors.schedule().values_list("planned_year", flat=True))),
            "year": year,
            "cycle": cycle,
        },
    )


@require_GET
@public
def schools(request):
    filters = {k: request.GET.get(k, "") for k in ("q", "city", "year", "verdict")}
    return page(
        request,
        "disclosure/schools.html",
        {
            "schools": selectors.search_schools(**filters),
            "filters": filters,
            "cities": selectors.cities_in_pinyin_order(),
            "verdicts": Verdict.choices,
            "verdict_labels": dict(Verdict.choices),
        },
    )


@require_GET
@cached
@public
def school(request, pk: int):
    school = get_object_or_404(School, pk=pk)
    return page(
        request, "disclosure/school.html", {"school": school, **selectors.school_page(school)}
    )


@require_GET
@public
def download(request, token: str):
    """A disclosed file, by its unguessable token; a draft or withdrawn file is 404."""
    material = get_object_or_404(
        selectors.disclosed_materials()
        .filter(withdrawn_at__isnull=True)
        .select_related("recheck__school"),
        token=token,
    )
    name = f"{material.recheck.school.name}-材料{material.kind}-{material.original_name}"
    return stored_file_response(material.document, kind=material.content_kind, filename=name)


@require_GET
@cached
@public
def verdict(request, pk: int):
    record = get_object_or_404(selectors.published_verdicts().select_related("school"), pk=pk)
    data = verdict_report_data(record)
    return page(
        request,
        "disclosure/verdict.html",
        {
            "record": record,
            "data": data,
            "issuer": verdict_document.ISSUER,
            "explanation": verdict_document.explanation_in_words(data),
            "requirements": verdict_document.requirements(data),
            "recheck_dates": verdict_document.date_range(data.recheck_start, data.recheck_end),
            "appeals": public_appeals(record),
        },
    )


@require_GET
def verdict_pdf(request, pk: int):
    """The stored PDF; never rendered for a visitor. Not stored yet: queue it, say so."""
    record = get_object_or_404(selectors.published_verdicts().select_related("school"), pk=pk)
    if not record.pdf:
        # One queued render per minute however many visitors ask (the task is idempotent).
        if cache.add(f"verdict-pdf-queued:{record.pk}", True, timeout=60):
            queue_verdict_pdf(record.pk)
        response = page(request, "disclosure/pdf_pending.html", {"record": record})
        response.status_code = 503
        response["Retry-After"] = "10"
        patch_cache_control(response, no_store=True)
        return response
    response = stored_verdict_pdf(record)
    patch_cache_control(response, public=True, max_age=300)
    return response


class DisclosureFeed(Feed):
    """New disclosures: materials published, verdicts published, column documents."""

    feed_type = Atom1Feed
    title = "福建省高职院校诊改专栏：最新公开信息"
    subtitle = "学校复核材料公示、复核结论与政策文件"

    def link(self):
        return reverse("column:home")

    def items(self):
        # Each entry: (when, title, link, summary, id). The id names the row, so eight files
        # a school publishes at once are eight entries, not one that feed readers collapse.
        entries = []
        for material in selectors.latest_disclosures(30):
            school = material.recheck.school
            entries.append(
                (
                    material.disclosed_at,
                    f"{school.name} 公示复核材料：{material.get_kind_display()}",
                    reverse("column:school", args=[school.pk]) + f"#m{material.pk}",
                    f"文件 {material.original_name}，SHA-256 {material.sha256}",
                    f"material/{material.pk}",
                )
            )
        verdicts = selectors.published_verdicts().select_related("school")
        for record in verdicts.order_by("-published_at")[:30]:
            entries.append(
                (
                    record.published_at,
                    f"{record.school.name} 复核结论：{record.get_verdict_display()}",
                    reverse("column:verdict", args=[record.pk]),
                    "复核结论与复核报告已公开。",
                    f"verdict/{record.pk}",
                )
            )
        for doc in selectors.published_documents()[:30]:
            entries.append(
                (
                    doc.published_at,
                    f"{doc.get_kind_display()}：{doc.title}",
                    reverse("column:document", args=[doc.slug]),
                    doc.body[:200],
                    f"document/{doc.pk}",
                )
            )
        return sorted(entries, key=lambda e: e[0], reverse=True)[:50]

    def item_title(self, item):
        return item[1]

    def item_link(self, item):
        return item[2]

    def item_description(self, item):
        return item[3]

    def item_pubdate(self, item):
        return item[0]

    def item_updateddate(self, item):
        return item[0]

    def item_guid(self, item):
        # A tag URI (RFC 4151): stable whatever host serves the feed.
        return f"tag:{FEED_TAG_AUTHORITY}:{item[4]}"

    def item_guid_is_permalink(self, item):
        return False


feed = require_GET(cached(DisclosureFeed()))


@require_GET
@cached
@public
def subscribe(request):
    """What the feed is, and its address to paste into a feed reader."""
    return page(
        request,
        "disclosure/subscribe.html",
        {"feed_url": request.build_absolute_uri(feed_address())},
    )


# --- Staff ----------------------------------------------------------------------------------


@login_required
def manage(request):
    require_provincial(request.user)
    if request.method == "POST":
        doc = None
        if pk := request.POST.get("pk", ""):
            doc = get_object_or_404(ColumnDocument, pk=int(pk) if pk.isdecimal() else 0)
        try:
            doc = services.save_document(
                user=request.user,
                kind=request.POST.get("kind", ""),
                slug=request.POST.get("slug", "").strip(),
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                document=doc,
            )
        except ValidationError as exc:
            return render(
                request,
                "disclosure/manage.html",
                {
                    "documents": ColumnDocument.objects.all(),
                    "kinds": DocumentKind.choices,
                    "errors": exc.message_dict,
                    "posted": request.POST,
                },
                status=400,
            )
        messages.success(request, f"已保存“{doc.title}”（尚未发布的需点“发布”）。")
        return redirect("column:manage")
    return render(
        request,
        "disclosure/manage.html",
        {"documents": ColumnDocument.objects.all(), "kinds": DocumentKind.choices, "posted": {}},
    )


@login_required
@require_POST
def toggle(request, pk: int):
    require_provincial(request.user)
    doc = get_object_or_404(ColumnDocument, pk=pk)
    publish = request.POST.get("publish") == "1"
    services.set_published(document=doc, user=request.user, published=publish)
    messages.success(request, f"“{doc.title}”已{'发布' if publish else '撤下'}。")
    return redirect("column:manage")


@login_required
def withdraw(request, pk: int, material_pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    if not is_provincial(request.user):
        raise Http404("页面不存在")
    material = get_object_or_404(Material, pk=material_pk, recheck=recheck)
    reason = request.POST.get("reason", "")
    if not confirmed(request):
        # A summary of what goes public first; only the confirmed POST takes the file down.
        return confirmation_page(
            request, withdraw_confirmation(recheck, material, reason, fields={"reason": reason})
        )
    try:
        services.withdraw_material(material=material, user=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, "未撤下：" + " ".join(exc.messages))
    else:
        messages.success(request, "已撤下该材料；专栏中显示撤下时间和原因。")
    return redirect(reverse("review:recheck", kwargs={"pk": pk}) + "#materials")
