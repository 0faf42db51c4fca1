"""What the public may see, and nothing else: every query here filters to disclosed rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from pypinyin import lazy_pinyin

from disclosure.models import ColumnDocument
from review.models import (
    CycleKind,
    Material,
    MaterialKind,
    Recheck,
    Rectification,
    VerdictRecord,
)
from review.selectors import latest_verdict_in_force, verdicts_in_force
from schools.models import City, School


def published_documents() -> QuerySet[ColumnDocument]:
    return ColumnDocument.objects.filter(published_at__isnull=False)


def disclosed_materials() -> QuerySet[Material]:
    """Files the school has published (R10), including ones taken down (shown with why)."""
    return Material.objects.filter(disclosed_at__isnull=False)


def published_verdicts() -> QuerySet[VerdictRecord]:
    return VerdictRecord.objects.all()  # a verdict row exists only once published


def recent_verdicts(limit: int = 10) -> list[VerdictRecord]:
    """The newest publications among the verdicts in force (corrections included)."""
    return list(
        verdicts_in_force().select_related("school").order_by("-published_at", "-pk")[:limit]
    )


def latest_disclosures(limit: int = 10) -> list[Material]:
    return list(
        disclosed_materials()
        .filter(withdrawn_at__isnull=True)
        .select_related("recheck__school")
        .order_by("-disclosed_at", "-pk")[:limit]
    )


def schedule(*, year: int | None = None, cycle_id: int | None = None) -> QuerySet[Recheck]:
    """Re-checks of the 3-year cycles, by year and cycle (the public schedule).

    附件2's 2017–2020 plan is shown apart, as the plan it was (``annex2_plan``): its schools
    have no re-check dates in the portal, and "待定" would say they are still to come.
    """
    rechecks = (
        Recheck.objects.select_related("school", "cycle")
        .exclude(cycle__kind=CycleKind.ANNEX2)
        .order_by("start_date", "planned_year", "school__name")
    )
    if year:
        rechecks = rechecks.filter(planned_year=year)
    if cycle_id:
        rechecks = rechecks.filter(cycle_id=cycle_id)
    return rechecks


def pinyin_key(name: str) -> tuple[list[str], str]:
    """Sort key for a Chinese name in dictionary (pinyin) order: 三明 (san) < 厦门 (xia)."""
    return lazy_pinyin(name), name


def search_schools(*, q: str = "", city: str = "", year: str = "", verdict: str = "") -> list:
    """Schools by name, city, re-check year and latest verdict in force, in pinyin order.

    Each school carries its public status: the latest verdict in force, and its latest
    re-check's dates and when its materials were published.
    """
    latest = latest_verdict_in_force(school=OuterRef("pk"))
    recheck = Recheck.objects.filter(school=OuterRef("pk")).order_by(
        "-planned_year", "-round", "-pk"
    )
    schools = School.objects.annotate(
        latest_verdict=Subquery(latest.values("verdict")[:1]),
        latest_verdict_pk=Subquery(latest.values("pk")[:1]),
        recheck_year=Subquery(recheck.values("planned_year")[:1]),
        recheck_start=Subquery(recheck.values("start_date")[:1]),
        recheck_end=Subquery(recheck.values("end_date")[:1]),
        recheck_cycle_kind=Subquery(recheck.values("cycle__kind")[:1]),
        materials_published_at=Subquery(recheck.values("materials_published_at")[:1]),
    )
    if q.strip():
        schools = schools.filter(name__contains=q.strip())
    if city:
        schools = schools.filter(city=city)
    if year.isdigit():
        schools = schools.filter(
            Exists(Recheck.objects.filter(school=OuterRef("pk"), planned_year=int(year)))
        )
    if verdict:
        schools = schools.filter(latest_verdict=verdict)
    return sorted(schools, key=lambda school: pinyin_key(school.name))


def cities_in_pinyin_order() -> list[tuple[str, str]]:
    return sorted(City.choices, key=lambda choice: pinyin_key(choice[1]))


def annex2_plan() -> list[tuple[int, list[School]]]:
    """附件2's 2017–2020 plan as it was: each year and the schools it listed (R7)."""
    by_year: dict[int, list[School]] = {}
    for school in School.objects.filter(annex2_year__isnull=False):
        by_year.setdefault(school.annex2_year, []).append(school)
    return [
        (year, sorted(by_year[year], key=lambda school: pinyin_key(school.name)))
        for year in sorted(by_year)
    ]


@dataclass
class MaterialSlot:
    kind: MaterialKind
    versions: list[Material]


@dataclass
class PublicRecheck:
    recheck: Recheck
    slots: list[MaterialSlot]
    published: bool


def school_page(school: School) -> dict:
    """A school's public page in a fixed number of queries."""
    rechecks = list(
        school.rechecks.select_related("cycle")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=disclosed_materials().order_by("kind", "disclosed_at", "pk"),
                to_attr="public_materials",
            )
        )
        .order_by("-planned_year", "-round")
    )
    items = []
    for recheck in rechecks:
        by_kind: dict[int, list] = {k.value: [] for k in MaterialKind}
        for material in recheck.public_materials:
            by_kind[material.kind].append(material)
        items.append(
            PublicRecheck(
                recheck=recheck,
                slots=[MaterialSlot(k, by_kind[k.value]) for k in MaterialKind],
                published=recheck.materials_published_at is not None,
            )
        )
    verdicts = list(
        published_verdicts()
        .filter(school=school)
        .select_related("cycle", "corrects")
        .prefetch_related(
            Prefetch(
                "rectification",
                queryset=Rectification.objects.prefetch_related("items"),
            )
        )
        # A correction stands in the place of the verdict it corrects, beside it.
        .order_by("-ranks_at", "-published_at")
    )
    corrected = set(
        VerdictRecord.objects.filter(school=school, corrects__isnull=False).values_list(
            "corrects_id", flat=True
        )
    )
    for record in verdicts:
        record.is_corrected = record.pk in corrected
        plan = getattr(record, "rectification", None)
        if plan:
            items_ = list(plan.items.all())
            record.plan_written = sum(1 for i in items_ if i.plan)
            record.progress_reported = sum(1 for i in items_ if i.progress)
            record.plan_total = len(items_)
    return {"rechecks": items, "verdicts": verdicts}
