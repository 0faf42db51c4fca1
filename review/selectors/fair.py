"""Reads for the factual check of the draft and for appeals: the points, the steps for the
school's story, and what the column may say about an appeal.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from review.models import (
    Appeal,
    FactualCheck,
    FactualPoint,
    VerdictRecord,
)
from review.selectors.story import StoryEntry


def points_of(check: FactualCheck):
    return check.points.select_related("element", "answered_by").order_by(
        "element__project__position", "element__position", "created", "pk"
    )


# --- The school's story ------------------------------------------------------------------------


def story_entries(school) -> list[StoryEntry]:
    """The factual check and the appeals of the school, in three queries."""
    entries = []
    for check in FactualCheck.objects.filter(recheck__school=school).select_related("recheck"):
        url = reverse("review:factual_check", kwargs={"pk": check.recheck_id})
        name = f"{check.recheck.planned_year} 年复核"
        entries.append(
            StoryEntry(
                timezone.localdate(check.created),
                "复核结论",
                f"{name}结论草稿交学校核对事实（至 {check.closes_on:%Y-%m-%d}）",
                url,
                at=check.created,
            )
        )
        if check.finished_at:
            entries.append(
                StoryEntry(
                    timezone.localdate(check.finished_at),
                    "复核结论",
                    f"{name}：学校声明结论草稿无事实错误"
                    if check.no_points
                    else f"{name}：学校提交事实核对意见",
                    url,
                    at=check.finished_at,
                )
            )
    points = FactualPoint.objects.filter(
        factual_check__recheck__school=school, answered_at__isnull=False
    ).select_related("element", "factual_check")
    for point in points:
        entries.append(
            StoryEntry(
                timezone.localdate(point.answered_at),
                "复核结论",
                f"组长答复 {point.element.code} 的事实核对意见："
                + ("已修改评议" if point.changed else "未修改评议")
                + f"（{point.answer}）",
                reverse("review:factual_check", kwargs={"pk": point.factual_check.recheck_id}),
                "ok" if point.changed else "",
                at=point.answered_at,
            )
        )
    for appeal in Appeal.objects.filter(school=school).prefetch_related("claims"):
        url = reverse("review:appeal", kwargs={"pk": appeal.pk})
        grounds = "；".join(c.get_ground_display() for c in appeal.claims.all())
        entries.append(
            StoryEntry(
                timezone.localdate(appeal.created),
                "申诉",
                f"对复核结论提出申诉：{grounds}",
                url,
                "warn",
                at=appeal.created,
            )
        )
        if appeal.decided_at:
            entries.append(
                StoryEntry(
                    timezone.localdate(appeal.decided_at),
                    "申诉",
                    f"申诉处理结果：{appeal.get_outcome_display()}（{appeal.decision_reason}）",
                    url,
                    "ok",
                    at=appeal.decided_at,
                )
            )
    return entries


# --- The column ----------------------------------------------------------------------------------


def public_appeals(record: VerdictRecord) -> list[dict]:
    """What the column says of appeals on this verdict (or that corrected it): that one was
    made, on which grounds, and how it ended — never the statement or the documents."""
    rows = []
    appeals = (
        Appeal.objects.filter(verdict=record) | Appeal.objects.filter(correction=record)
    ).prefetch_related("claims")
    for appeal in appeals.order_by("created"):
        rows.append(
            {
                "filed_on": timezone.localdate(appeal.created),
                "grounds": [c.get_ground_display() for c in appeal.claims.all()],
                "outcome": appeal.get_outcome_display() if appeal.outcome else "",
                "decided_on": timezone.localdate(appeal.decided_at) if appeal.decided_at else None,
                "correction_id": appeal.correction_id,
                "is_correction": appeal.correction_id == record.pk,
            }
        )
    return rows
