"""What needs provincial staff now: counts, each with the filtered list where it is done.

Every count reads a fixed number of queries however many schools or re-checks there are:
the rows are read by year or by cycle and grouped here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.http import urlencode

from notices.models import EmailStatus, Notice
from review import selectors as review_selectors
from review.models import Cycle, CycleKind, NotDiagnosedProposal, Sanction, SelfDiagnosis
from review.services.rules import rules_deadline
from schools.models import City, School
from statedata import selectors as statedata_selectors


@dataclass
class Item:
    """One line of the attention queue: a count and where the work is done."""

    label: str
    count: int
    url: str
    hint: str = ""
    remind: str = ""  # the reminder step, when staff may remind these schools by hand
    sub: list = field(default_factory=list)  # (label, count, url) per city


def current_cycle(today: date) -> Cycle | None:
    """The three-year cycle holding this year; else the latest cycle."""
    cycles = list(Cycle.objects.order_by("-start_year"))
    for cycle in cycles:
        if cycle.kind == CycleKind.TRIENNIAL and cycle.start_year <= today.year <= cycle.end_year:
            return cycle
    return cycles[0] if cycles else None


def _index(**params) -> str:
    return f"{reverse('review:index')}?{urlencode(params)}"


def report_progress(year: int) -> dict[str, Counter]:
    """City → counts of the year's reports by state (not_started, draft, submitted, filed)."""
    states = dict(
        SelfDiagnosis.objects.filter(year=year).order_by().values_list("school_id", "status")
    )
    progress: dict[str, Counter] = {city: Counter() for city in City.values}
    for pk, city in School.objects.order_by().values_list("pk", "city"):
        progress.setdefault(city, Counter())[states.get(pk, "not_started")] += 1
    return progress


def province_queue(*, today: date, panel_size: int, progress: dict[str, Counter]) -> dict:
    """The attention queue of provincial staff (and, read-only, the committee), but for the
    failed e-mails (``failed_emails``): everything here is stored between requests."""
    year = today.year
    items: list[Item] = []
    unsubmitted = review_selectors.UNSUBMITTED
    by_city = []
    for value, label in City.choices:
        n = sum(progress.get(value, Counter())[s] for s in review_selectors.UNSUBMITTED_STATES)
        if n:
            by_city.append((label, n, _index(year=year, status=unsubmitted, city=value)))
    items.append(
        Item(
            f"{year} 年自我诊断报告未提交",
            sum(n for _, n, _ in by_city),
            _index(year=year, status=unsubmitted),
            hint="未开始或仍是草稿；按地市分列",
            remind="report",
            sub=by_city,
        )
    )
    no_rules = School.objects.exclude(pk__in=review_selectors.rules_filed(year=year)).count()
    deadline = rules_deadline(year)
    items.append(
        Item(
            f"{year} 年实施细则未备案",
            no_rules,
            _index(year=year, rules="missing"),
            hint=f"备案截止 {deadline.month} 月 {deadline.day} 日",
            remind="rules",
        )
    )
    cycle = current_cycle(today)
    if cycle is not None:
        base = reverse("review:cycle_rechecks", args=[cycle.pk])
        for need, label in review_selectors.NEEDS.items():
            count = review_selectors.rechecks_needing(
                cycle.rechecks.all(), need=need, panel_size=panel_size
            ).count()
            items.append(Item(f"复核{label}", count, f"{base}?need={need}", hint=cycle.name))
    verdicts = reverse("review:verdicts")
    for kind, label in review_selectors.FOLLOW.items():
        schools = review_selectors.follow_up(kind, today=today)
        items.append(
            Item(
                label,
                len(schools),
                f"{verdicts}?follow={kind}",
                remind="rectification" if kind == "rectification" else "",
            )
        )
    items.append(
        Item(
            "限制措施执行中",
            Sanction.objects.filter(closed_on__isnull=True).count(),
            reverse("review:sanctions"),
        )
    )
    proposals = list(
        NotDiagnosedProposal.objects.filter(record__isnull=True, dismissed_reason="")
        .values_list("cycle_id", flat=True)
        .order_by("cycle_id")
    )
    items.append(
        Item(
            "未按时开展诊改、拟认定“异常”待确认",
            len(proposals),
            reverse("review:cycle", args=[proposals[0]])
            if proposals
            else (reverse("review:cycle", args=[cycle.pk]) if cycle else reverse("review:cycles")),
            hint="确认或撤销",
        )
    )
    # The latest state-data year's schools on a card, a warning or a trend (R24, R25).
    for entry in statedata_selectors.attention():
        items.append(
            Item(f"办学条件：{entry['label']}", entry["count"], entry["url"], hint="状态数据")
        )
    return {"items": items, "cycle": cycle, "year": year}


def failed_emails() -> Item:
    """Notices whose e-mail failed (read live on every request: the outbox changes them)."""
    failed = Notice.objects.filter(email_status=EmailStatus.FAILED).count()
    return Item("通知邮件发送失败", failed, f"{reverse('notices:log')}?status={EmailStatus.FAILED}")
