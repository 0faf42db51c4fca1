"""Notices for workflow events: who must act, or who is told an outcome, once per event.

The receivers (``notices/receivers.py``) call these inside the step's transaction, so a
rolled-back step leaves no notice. Each event gets a subject of its own (the row that records
it) and the day it happened as the date, so the notices' unique key makes writing it again —
a repeated signal, a retried request — add nothing. E-mail goes out after commit through the
outbox (``notices_written``), exactly as for the deadline notices.

Every notice says what happened, what to do next, and links to the page where it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from notices.models import EmailStatus, Notice, NoticeKind, Stage
from notices.services.outbox import notices_written
from review.models import Material, PanelAssignment, PanelChange, Recheck
from schools.models import SchoolUserObjectPermission
from schools.permissions import ACT_FOR_SCHOOL_CODENAME
from schools.roles import Role


@dataclass(frozen=True)
class EventNotice:
    """One event, told to some people."""

    kind: NoticeKind
    subject: str
    day: date
    title: str
    what: str  # what happened
    next: str  # what to do next
    url: str
    recipients: tuple  # users


def write(events: list[EventNotice]) -> int:
    """Insert each event's notices unless already there; e-mail the new ones after commit."""
    started = timezone.now()
    rows = [
        Notice(
            recipient=user,
            kind=event.kind,
            subject=event.subject,
            due_date=event.day,
            stage=Stage.EVENT,
            title=event.title,
            body=f"{event.what}\n下一步：{event.next}",
            url=event.url,
            email_status=EmailStatus.PENDING if user.email else EmailStatus.NO_ADDRESS,
        )
        for event in events
        for user in {u.pk: u for u in event.recipients}.values()
    ]
    if not rows:
        return 0
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    # The rows the once-only key let in are these recipients' rows written from ``started`` on
    # (counted by the unique key's leading column, not over the whole table).
    created = Notice.objects.filter(
        recipient_id__in={row.recipient_id for row in rows}, created__gte=started
    ).count()
    if created:
        notices_written.send(sender=Notice, since=started)
    return created


# --- Who is told -------------------------------------------------------------------------------


def _active_users():
    return get_user_model().objects.filter(is_active=True)


def school_staff(school_id: int) -> tuple:
    """The people who act for the school."""
    acting = SchoolUserObjectPermission.objects.filter(
        content_object_id=school_id, permission__codename=ACT_FOR_SCHOOL_CODENAME
    ).values("user_id")
    return tuple(_active_users().filter(pk__in=acting))


def provincial_staff() -> tuple:
    return tuple(_active_users().filter(groups__name=Role.PROVINCIAL_STAFF))


def panel(recheck_id: int, *, lead_only: bool = False) -> tuple:
    """The experts (with accounts) on the re-check's panel, or only its lead."""
    assignments = PanelAssignment.objects.filter(recheck_id=recheck_id)
    if lead_only:
        assignments = assignments.filter(is_lead=True)
    return tuple(_active_users().filter(expert__assignments__in=assignments).distinct())


def _expert_user(expert) -> tuple:
    user = expert.user
    return (user,) if user is not None and user.is_active else ()


def day_of(moment) -> date:
    return timezone.localdate(moment) if moment else timezone.localdate()


def recheck_url(recheck_id: int, anchor: str = "") -> str:
    return reverse("review:recheck", kwargs={"pk": recheck_id}) + anchor


def recheck_name(recheck: Recheck) -> str:
    return f"{recheck.school.name} {recheck.planned_year} 年复核"


# --- The panel ---------------------------------------------------------------------------------


def experts_assigned(changes: list[PanelChange]) -> list[EventNotice]:
    changes = [c for c in changes if c.pk]
    if not changes:
        return []
    leads = set(
        PanelAssignment.objects.filter(
            recheck__in={c.recheck_id for c in changes}, is_lead=True
        ).values_list("recheck_id", "expert_id")
    )
    notices = []
    for change in PanelChange.objects.filter(pk__in=[c.pk for c in changes]).select_related(
        "recheck__school", "expert__user"
    ):
        recheck = change.recheck
        lead = (recheck.pk, change.expert_id) in leads
        dates = (
            f"复核时间为 {recheck.start_date:%Y-%m-%d} 至 {recheck.end_date:%Y-%m-%d}。"
            if recheck.start_date and recheck.end_date
            else "复核时间待定。"
        )
        notices.append(
            EventNotice(
                kind=NoticeKind.EXPERT_ASSIGNED,
                subject=f"panel-change:{change.pk}",
                day=day_of(change.created),
                title=f"您已被指派参加{recheck_name(recheck)}"
                + ("，并担任专家组组长" if lead else ""),
                what=f"省级管理人员指派您为{recheck_name(recheck)}的专家组成员"
                + ("并担任组长" if lead else "")
                + f"。{dates}",
                next="请先在复核页面声明是否与该校存在利益冲突；声明无冲突后即可阅读学校材料、"
                "逐项评议。",
                url=recheck_url(recheck.pk, "#certify"),
                recipients=_expert_user(change.expert),
            )
        )
    return notices


def expert_removed(change: PanelChange) -> list[EventNotice]:
    """The expert is told they left (unless they declared it themselves); for a conflict,
    declared or recorded, staff are told too, to assign someone else."""
    change = PanelChange.objects.select_related("recheck__school", "expert__user").get(pk=change.pk)
    recheck = change.recheck
    told = []
    if change.action != "declared":  # the expert left by their own declaration: they know
        why = "已记录您与该校的利益冲突" if change.action == "conflict" else change.reason
        told.append(
            EventNotice(
                kind=NoticeKind.EXPERT_REMOVED,
                subject=f"panel-change:{change.pk}",
                day=day_of(change.created),
                title=f"您已退出{recheck_name(recheck)}的专家组",
                what=f"省级管理人员已将您移出{recheck_name(recheck)}的专家组"
                + (f"（原因：{why}）" if why else "")
                + "，您不再能查看该校的复核材料。",
                next="无需再办理该复核；如有疑问，请与省级管理人员联系。",
                url=reverse("review:my_rechecks"),
                recipients=_expert_user(change.expert),
            )
        )
    if change.action in ("declared", "conflict"):
        how = "申报" if change.action == "declared" else "被记录"
        told.append(
            EventNotice(
                kind=NoticeKind.EXPERT_REMOVED,
                subject=f"panel-change:{change.pk}",
                day=day_of(change.created),
                title=f"复核专家因利益冲突退出：{recheck.school.name}",
                what=f"{change.expert.name} {how}与{recheck.school.name}存在利益冲突，已退出"
                f"{recheck_name(recheck)}的专家组"
                + (f"（说明：{change.reason}）" if change.reason else "")
                + "。",
                next="请为该校补充指派专家，使专家组人数和组成符合要求。",
                url=recheck_url(recheck.pk, "#panel"),
                recipients=provincial_staff(),
            )
        )
    return told


def lead_named(change: PanelChange) -> list[EventNotice]:
    change = PanelChange.objects.select_related("recheck__school", "expert__user").get(pk=change.pk)
    recheck = change.recheck
    return [
        EventNotice(
            kind=NoticeKind.EXPERT_LEAD,
            subject=f"panel-change:{change.pk}",
            day=day_of(change.created),
            title=f"您担任{recheck_name(recheck)}的专家组组长",
            what=f"省级管理人员指定您为{recheck_name(recheck)}专家组组长。",
            next="请先完成自己的逐项评议；全体专家提交评议后，由您合议每个诊断要素、"
            "评价改进措施、撰写复核报告并提交。",
            url=reverse("review:consolidate", kwargs={"pk": recheck.pk}),
            recipients=_expert_user(change.expert),
        )
    ]


# --- Materials ---------------------------------------------------------------------------------


def materials_published(recheck: Recheck) -> list[EventNotice]:
    recheck = Recheck.objects.select_related("school").get(pk=recheck.pk)
    submit_by = recheck.deadlines.submit_by if recheck.deadlines else None
    return [
        EventNotice(
            kind=NoticeKind.MATERIALS_PUBLISHED,
            subject=f"recheck:{recheck.pk}",
            day=day_of(recheck.materials_published_at),
            title=f"{recheck.school.name}已在专栏公示复核材料",
            what=f"{recheck.school.name}于 {day_of(recheck.materials_published_at):%Y-%m-%d} "
            f"公示了{recheck.planned_year} 年复核的 8 项材料"
            + ("（晚于公示期限）" if recheck.published_late else "")
            + "。",
            next="请查看公示材料是否齐全、可读；"
            + (
                f"学校须于 {submit_by:%Y-%m-%d} 前报送省教育评估研究中心。"
                if submit_by
                else "复核日期确定后，学校须在复核开始 15 天前报送。"
            ),
            url=recheck_url(recheck.pk, "#materials"),
            recipients=provincial_staff(),
        )
    ]


def materials_submitted(recheck: Recheck) -> list[EventNotice]:
    recheck = Recheck.objects.select_related("school").get(pk=recheck.pk)
    return [
        EventNotice(
            kind=NoticeKind.MATERIALS_SUBMITTED,
            subject=f"recheck:{recheck.pk}",
            day=day_of(recheck.materials_submitted_at),
            title=f"{recheck.school.name}已报送复核材料",
            what=f"{recheck.school.name}于 {day_of(recheck.materials_submitted_at):%Y-%m-%d} "
            f"报送了{recheck.planned_year} 年复核材料"
            + ("（晚于报送期限）" if recheck.submitted_late else "")
            + "。",
            next="请查收材料，并确认复核日期和专家组已经安排。",
            url=recheck_url(recheck.pk, "#materials"),
            recipients=provincial_staff(),
        )
    ]


def material_withdrawn(material: Material) -> list[EventNotice]:
    material = Material.objects.select_related("recheck__school").get(pk=material.pk)
    recheck = material.recheck
    return [
        EventNotice(
            kind=NoticeKind.MATERIAL_WITHDRAWN,
            subject=f"material:{material.pk}",
            day=day_of(material.withdrawn_at),
            title=f"专栏已撤下贵校的材料：{material.get_kind_display()}",
            what=f"省级管理人员从专栏撤下了贵校{recheck.planned_year} 年复核材料"
            f"“{material.original_name}”，原因：{material.withdrawn_reason}。"
            "专栏中该文件的位置公开显示撤下时间和原因。",
            next="请按原因修改后，在复核页面重新上传该项材料；新文件上传后即在专栏公示。",
            url=recheck_url(recheck.pk, "#materials"),
            recipients=school_staff(recheck.school_id),
        )
    ]
