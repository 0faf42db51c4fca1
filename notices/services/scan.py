"""The daily deadline scan: find what is due, write each notice once, e-mail it after commit.

Reads a fixed number of queries however many schools there are, builds the notices in
memory, and inserts them in one statement that skips rows the unique key already holds: a
second scan, two workers at once, or a retried task add nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from notices.models import EmailStatus, Notice, NoticeKind, Stage
from notices.services import fair
from notices.services.outbox import notices_written
from notices.services.stages import stage_for, when_text
from review.models import (
    Cycle,
    CycleKind,
    ImplementationRules,
    NotDiagnosedProposal,
    PanelAssignment,
    Reapplication,
    Recheck,
    Rectification,
    ReportStatus,
    Sanction,
    SelfDiagnosis,
)
from review.selectors import latest_verdict_in_force, verdicts_in_force
from review.services.publication import record_sanctions_years
from review.services.rules import rules_deadline
from schools.models import School, SchoolUserObjectPermission
from schools.permissions import ACT_FOR_SCHOOL_CODENAME
from schools.roles import Role
from zhengai import stampcache

DIGEST_NAMES = 20  # schools named in a staff digest before "等 N 所"


@dataclass
class ScanResult:
    created: int = 0
    proposals: int = 0
    sanction_entries: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Due:
    """One thing due for one school (or expert), before it is addressed to people."""

    kind: NoticeKind
    subject: str
    due: date
    stage: Stage
    title: str
    body: str
    url: str
    school_id: int | None = None
    user_ids: tuple[int, ...] = ()  # direct recipients (experts); else the school's staff
    to_school: bool = True  # False: only provincial staff are told (e.g. an R15 proposal)


class _People:
    """Who acts for which school, and who the provincial staff are: two queries."""

    def __init__(self) -> None:
        self.by_school: dict[int, list] = defaultdict(list)
        rows = SchoolUserObjectPermission.objects.filter(
            permission__codename=ACT_FOR_SCHOOL_CODENAME, user__is_active=True
        ).select_related("user")
        for row in rows:
            self.by_school[row.content_object_id].append(row.user)
        self.staff = list(
            get_user_model().objects.filter(groups__name=Role.PROVINCIAL_STAFF, is_active=True)
        )


def scan(*, today: date | None = None) -> ScanResult:
    """Run every deadline rule for ``today`` and write the notices (idempotent)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        people = _People()
        dues: list[Due] = []
        dues += _rules_due(today)
        cycle_dues, proposals = _self_diagnosis_due(today)
        dues += cycle_dues
        dues += _materials_due(today)
        dues += _findings_due(today)
        dues += _rectification_due(today)
        dues += _improvement_end(today)
        dues += [Due(**fields) for fields in fair.window_dues(today)]
        sanction_dues, entries = _sanctions(today)
        dues += sanction_dues
        created = write_notices(dues, people, today=today)
    result = ScanResult(created=created, proposals=proposals, sanction_entries=entries)
    for due in dues:
        result.by_kind[due.kind] = result.by_kind.get(due.kind, 0) + 1
    return result


def write_notices(
    dues: list[Due], people: _People | None = None, *, today: date | None = None
) -> int:
    """Address the dues, insert what is new, and dispatch its e-mails after commit."""
    people = people or _People()
    today = today or timezone.localdate()
    started = timezone.now()
    direct_ids = {i for due in dues for i in due.user_ids}
    direct = {u.pk: u for u in get_user_model().objects.filter(pk__in=direct_ids, is_active=True)}
    notices = []
    digests: dict[tuple, list[Due]] = defaultdict(list)
    for due in dues:
        if due.user_ids:
            recipients = [direct[i] for i in due.user_ids if i in direct]
        elif due.to_school:
            recipients = people.by_school[due.school_id]
        else:
            recipients = []
        notices += [_notice(user, due) for user in recipients]
        if due.school_id is not None:
            digests[(due.kind, due.due, due.stage)].append(due)
    for (kind, due_date, stage), items in digests.items():
        notices += [_digest(user, kind, due_date, stage, items, today) for user in people.staff]
    before = Notice.objects.count()
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    created = Notice.objects.count() - before
    if created:
        # The e-mail side (notices.tasks) listens and queues them after commit.
        notices_written.send(sender=Notice, since=started)
    return created


def _notice(user, due: Due) -> Notice:
    return Notice(
        recipient=user,
        kind=due.kind,
        subject=due.subject,
        due_date=due.due,
        stage=due.stage,
        title=due.title,
        body=due.body,
        url=due.url,
        email_status=EmailStatus.PENDING if user.email else EmailStatus.NO_ADDRESS,
    )


def _digest(
    user, kind: NoticeKind, due_date: date, stage: Stage, items: list[Due], today: date
) -> Notice:
    names = [item.title.split("：", 1)[0] for item in items[:DIGEST_NAMES]]
    more = f"等 {len(items)} 所" if len(items) > DIGEST_NAMES else f"共 {len(items)} 所"
    label = NoticeKind(kind).label
    return Notice(
        recipient=user,
        kind=kind,
        subject=f"province:{kind}",
        due_date=due_date,
        stage=stage,
        title=f"{label}：{len(items)} 所学校"
        + (
            f"（{when_text(due_date, stage, today)}）"
            if stage == Stage.EVENT
            else when_text(due_date, stage, today)
        ),
        body=f"{'、'.join(names)}{more}。\n{items[0].body}",
        # One page serves them all (the same re-check list, the same cycle): link to it.
        url=items[0].url if len({i.url for i in items}) == 1 else _province_url(kind),
        email_status=EmailStatus.PENDING if user.email else EmailStatus.NO_ADDRESS,
    )


def _province_url(kind: str) -> str:
    if kind in (NoticeKind.RULES_DUE, NoticeKind.SELF_DIAGNOSIS_DUE):
        return reverse("review:index")
    if kind in (NoticeKind.SANCTION_OPENED, NoticeKind.SANCTION_YEAR):
        return reverse("review:sanctions")
    if kind in (NoticeKind.RECTIFICATION_DUE, NoticeKind.IMPROVEMENT_END):
        return reverse("review:verdicts")
    return reverse("review:cycles")


# --- The rules -------------------------------------------------------------------------------


def _rules_due(today: date) -> list[Due]:
    """R20: implementation rules by 30 May of the year."""
    due = rules_deadline(today.year)
    stage = stage_for(due, today)
    if stage is None:
        return []
    filed = set(
        ImplementationRules.objects.filter(year=today.year).values_list("school_id", flat=True)
    )
    url = reverse("review:index") + "#rules"
    return [
        Due(
            kind=NoticeKind.RULES_DUE,
            subject=f"school:{school.pk}",
            due=due,
            stage=stage,
            title=f"{school.name}：{today.year} 年诊改工作实施细则{when_text(due, stage, today)}",
            body="学校诊改工作实施细则须于 5 月 30 日前报省教育厅职成处、"
            "福建省职业技术教育学会备案。",
            url=url,
            school_id=school.pk,
        )
        for school in School.objects.exclude(pk__in=filed).exclude(is_new=True)
    ]


def _current_cycles(today: date):
    return Cycle.objects.filter(kind=CycleKind.TRIENNIAL, start_year__lte=today.year)


def _self_diagnosis_due(today: date) -> tuple[list[Due], int]:
    """R8: a self-diagnosis in every 3-year cycle, due by its last day; R15 after it."""
    dues: list[Due] = []
    proposals = 0
    for cycle in _current_cycles(today):
        due = cycle.self_diagnosis_due
        stage = stage_for(due, today)
        if stage is None:
            continue
        done = set(
            SelfDiagnosis.objects.filter(
                year__gte=cycle.start_year,
                year__lte=cycle.end_year,
                status__in=[ReportStatus.SUBMITTED, ReportStatus.FILED],
            ).values_list("school_id", flat=True)
        )
        late = list(School.objects.exclude(pk__in=done).exclude(is_new=True))
        url = reverse("review:index")
        for school in late:
            dues.append(
                Due(
                    kind=NoticeKind.SELF_DIAGNOSIS_DUE,
                    subject=f"cycle:{cycle.pk}",
                    due=due,
                    stage=stage,
                    title=f"{school.name}：{cycle.name}的自主诊改{when_text(due, stage, today)}",
                    body="每所学校每 3 年至少完成一次质量保证体系诊改工作；在规定时间内不开展"
                    "诊改工作的学校，其结论视为“异常”。",
                    url=url,
                    school_id=school.pk,
                )
            )
        if stage == Stage.OVERDUE and late:
            # R15: propose 异常 for staff to confirm, once per school and cycle.
            existing = set(
                NotDiagnosedProposal.objects.filter(cycle=cycle).values_list("school_id", flat=True)
            )
            new = [s for s in late if s.pk not in existing]
            NotDiagnosedProposal.objects.bulk_create(
                [NotDiagnosedProposal(cycle=cycle, school=s) for s in new], ignore_conflicts=True
            )
            if new:  # bulk_create sends no signal: the province's count of proposals moves
                stampcache.changed(stampcache.QUEUES)
            proposals += len(new)
            cycle_url = reverse("review:cycle", kwargs={"pk": cycle.pk}) + "#r15"
            dues += [
                Due(
                    kind=NoticeKind.NOT_DIAGNOSED,
                    subject=f"cycle:{cycle.pk}",
                    due=due,
                    stage=Stage.EVENT,
                    title=f"{s.name}：{cycle.name}内未开展自主诊改，拟认定“异常”",
                    body="请省级管理人员在周期页面确认或驳回。",
                    url=cycle_url,
                    school_id=s.pk,
                    to_school=False,
                )
                for s in late
            ]
    return dues, proposals


def _materials_due(today: date) -> list[Due]:
    """R10: publish 30 days and submit 15 days before the re-check starts."""
    dues = []
    window = today + timedelta(days=60)
    rechecks = Recheck.objects.filter(
        start_date__isnull=False, start_date__lte=window, start_date__gte=today - timedelta(60)
    ).select_related("school")
    for recheck in rechecks:
        deadlines = recheck.deadlines
        url = reverse("review:recheck", kwargs={"pk": recheck.pk}) + "#materials"
        for kind, due, done, what in (
            (NoticeKind.MATERIALS_PUBLISH, deadlines.publish_by, recheck.materials_published_at,
             "复核材料在专栏公示"),
            (NoticeKind.MATERIALS_SUBMIT, deadlines.submit_by, recheck.materials_submitted_at,
             "复核材料报送省教育评估研究中心"),
        ):  # fmt: skip
            stage = stage_for(due, today)
            if done or stage is None:
                continue
            dues.append(
                Due(
                    kind=kind,
                    subject=f"recheck:{recheck.pk}",
                    due=due,
                    stage=stage,
                    title=f"{recheck.school.name}：{what}{when_text(due, stage, today)}",
                    body=f"复核于 {recheck.start_date:%Y-%m-%d} 开始。",
                    url=url,
                    school_id=recheck.school_id,
                )
            )
    return dues


def _findings_due(today: date) -> list[Due]:
    """Experts' findings are due by the re-check's last day (assumption, see docs/rules.md)."""
    dues = []
    assignments = PanelAssignment.objects.filter(
        findings_submitted_at__isnull=True,
        expert__user__isnull=False,
        recheck__end_date__isnull=False,
        recheck__end_date__gte=today - timedelta(30),
        recheck__end_date__lte=today + timedelta(14),
    ).select_related("recheck__school", "expert")
    for assignment in assignments:
        recheck = assignment.recheck
        stage = stage_for(recheck.end_date, today)
        if stage is None:
            continue
        dues.append(
            Due(
                kind=NoticeKind.FINDINGS_DUE,
                subject=f"recheck:{recheck.pk}",
                due=recheck.end_date,
                stage=stage,
                title=f"{recheck.school.name}复核的逐项评议"
                + when_text(recheck.end_date, stage, today),
                body="请先声明无利益冲突，再逐项评议并提交。",
                url=reverse("review:recheck", kwargs={"pk": recheck.pk}) + "#verdict",
                user_ids=(assignment.expert.user_id,),
            )
        )
    return dues


def _rectification_due(today: date) -> list[Due]:
    """R11: rectification completed within a year of the re-check's end."""
    dues = []
    rows = Rectification.objects.filter(
        due__gte=today - timedelta(30),
        due__lte=today + timedelta(14),
        completed_at__isnull=True,
        verdict__corrected_by__isnull=True,
    ).select_related("verdict__school")
    for rectification in rows:
        stage = stage_for(rectification.due, today)
        if stage is None:
            continue
        record = rectification.verdict
        dues.append(
            Due(
                kind=NoticeKind.RECTIFICATION_DUE,
                subject=f"verdict:{record.pk}",
                due=rectification.due,
                stage=stage,
                title=f"{record.school.name}：整改任务{when_text(rectification.due, stage, today)}",
                body="须在复核工作结束后一年内完成整改任务。",
                url=reverse("review:rectification", kwargs={"pk": record.pk}),
                school_id=record.school_id,
            )
        )
    return dues


def _improvement_end(today: date) -> list[Due]:
    """R16: after 待改进/异常 the school must apply again when the year is up."""
    dues = []
    applied = set(Reapplication.objects.values_list("after_id", flat=True))
    # Only a school's latest verdict in force calls for a new re-check: a corrected or
    # superseded one (a later 有效) does not.
    latest = latest_verdict_in_force(school=OuterRef("school")).values("pk")[:1]
    records = verdicts_in_force(
        pk=Subquery(latest),
        verdict__in=["needs_improvement", "abnormal"],
        published_at__date__gte=today - timedelta(days=366 + 30),
        published_at__date__lte=today - timedelta(days=365 - 14),
    ).select_related("school")
    for record in records:
        if record.pk in applied:
            continue
        due = record.improvement_end
        stage = stage_for(due, today)
        if stage is None or stage == Stage.DAYS_3:
            continue
        dues.append(
            Due(
                kind=NoticeKind.IMPROVEMENT_END,
                subject=f"verdict:{record.pk}",
                due=due,
                stage=stage,
                title=f"{record.school.name}：改进期{when_text(due, stage, today)}，"
                "须重新提出复核申请",
                body="“待改进”和“异常”的学校改进期为 1 年，改进期满后须重新提出复核申请。",
                url=reverse("review:verdict", kwargs={"pk": record.pk}),
                school_id=record.school_id,
            )
        )
    return dues


def _sanctions(today: date) -> tuple[list[Due], int]:
    """R17: a notice when a sanction opens, and each new year's entries while it holds."""
    open_sanctions = list(
        Sanction.objects.filter(closed_on__isnull=True).select_related("school", "opened_by")
    )
    entries = record_sanctions_years(sanctions=open_sanctions, through_year=today.year)
    dues = [due for sanction in open_sanctions for due in sanction_dues(sanction, today)]
    return dues, entries


def sanction_dues(sanction: Sanction, today: date) -> list[Due]:
    """The sanction's notices: when it opens, and at each new year it still holds."""
    url = reverse("review:verdict", kwargs={"pk": sanction.opened_by_id})
    measures = "每年按 10% 的比例削减招生计划、暂停备案新专业、限制教育教学改革项目申报"
    dues = []
    if (today - sanction.opened_on).days <= 30:
        dues.append(
            Due(
                kind=NoticeKind.SANCTION_OPENED,
                subject=f"sanction:{sanction.pk}",
                due=sanction.opened_on,
                stage=Stage.EVENT,
                title=f"{sanction.school.name}：复核结论“{sanction.opened_by.get_verdict_display()}”，"
                "省教育厅将采取限制措施",
                body=f"复核结论为“异常”或连续 2 次“待改进”的学校，省教育厅将对其采取{measures}等"
                "限制措施，直至复核结论为“有效”。",
                url=url,
                school_id=sanction.school_id,
            )
        )
    if today.year > sanction.opened_on.year:
        new_year = date(today.year, 1, 1)
        dues.append(
            Due(
                kind=NoticeKind.SANCTION_YEAR,
                subject=f"sanction:{sanction.pk}",
                due=new_year,
                stage=Stage.EVENT,
                title=f"{sanction.school.name}：{today.year} 年继续执行限制措施",
                body=f"{today.year} 年继续{measures}。",
                url=url,
                school_id=sanction.school_id,
            )
        )
    return dues
