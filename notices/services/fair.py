"""Notices for the school's factual check of the draft verdict and for appeals.

Events (one subject per step, the day it happened as the date: written once) and the check's
window through the daily scan (opened by the event; two days left; closed), each with the
scan's once-only key.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from notices.models import NoticeKind, Stage
from notices.services.events import (
    EventNotice,
    _active_users,
    day_of,
    panel,
    provincial_staff,
    recheck_name,
    school_staff,
)
from review.models import Appeal, FactualCheck
from schools.roles import Role
from zhengai.confirm import day

CLOSING_DAYS = 2  # the school is reminded when two days of the window are left (today included)


def committee_members() -> tuple:
    return tuple(_active_users().filter(groups__name=Role.COMMITTEE))


def _check(check: FactualCheck) -> FactualCheck:
    return FactualCheck.objects.select_related("recheck__school").get(pk=check.pk)


def _draft_url(check: FactualCheck) -> str:
    return reverse("review:factual_check", kwargs={"pk": check.recheck_id})


def factual_check_opened(check: FactualCheck) -> list[EventNotice]:
    check = _check(check)
    name = recheck_name(check.recheck)
    return [
        EventNotice(
            kind=NoticeKind.FACTUAL_CHECK_OPENED,
            subject=f"factual-check:{check.pk}",
            day=day_of(check.created),
            title=f"{name}：复核结论草稿请核对（至 {day(check.closes_on)}）",
            what=f"省级管理人员已审核通过{name}的专家组合议结果，结论草稿（逐项复核结果和理由、"
            "改进措施评价、按规则得出的结论）现交学校核对事实。",
            next=f"请在 {day(check.closes_on)}（含当日）前逐项核对：如有事实错误，附上证据"
            "（事实、文件或数据）提出意见并提交；如无事实错误，请声明无意见。"
            "对评判本身的不同看法不在此提出。",
            url=_draft_url(check),
            recipients=school_staff(check.recheck.school_id),
        )
    ]


def factual_points_submitted(check: FactualCheck) -> list[EventNotice]:
    check = _check(check)
    count = check.points.filter(submitted_at__isnull=False).count()
    name = recheck_name(check.recheck)
    return [
        EventNotice(
            kind=NoticeKind.FACTUAL_POINTS_SUBMITTED,
            subject=f"factual-check:{check.pk}",
            day=day_of(check.finished_at),
            title=f"{name}：学校提出 {count} 条事实核对意见",
            what=f"{check.recheck.school.name}核对结论草稿后，提出了 {count} 条事实核对意见。",
            next="请逐条答复：是否修改该要素的评议，以及理由；如修改，请给出修改后的评议。",
            url=reverse("review:factual_answers", kwargs={"pk": check.recheck_id}),
            recipients=panel(check.recheck_id, lead_only=True),
        )
    ]


def factual_points_answered(check: FactualCheck) -> list[EventNotice]:
    check = _check(check)
    name = recheck_name(check.recheck)
    what = (
        f"{check.recheck.school.name}声明结论草稿没有事实错误。"
        if check.no_points
        else f"{name}的事实核对意见组长已全部答复。"
    )
    return [
        EventNotice(
            kind=NoticeKind.FACTUAL_POINTS_ANSWERED,
            subject=f"factual-check:{check.pk}",
            day=day_of(check.finished_at if check.no_points else None),
            title=f"{name}：事实核对已完成，可以发布结论",
            what=what,
            next="请在审核页面查看核对意见和答复，确认后发布复核结论。",
            url=reverse("review:staff_review", kwargs={"pk": check.recheck_id}) + "#factual",
            recipients=provincial_staff(),
        )
    ]


def window_dues(today: date) -> list[dict]:
    """The scan's notices for open windows: two days left, and closed (the day after).

    Each is the fields of the scan's ``Due`` (the scan builds them: it imports this module).
    """
    dues = []
    checks = FactualCheck.objects.filter(
        finished_at__isnull=True,
        closes_on__gte=today - timedelta(days=30),
        closes_on__lte=today + timedelta(days=CLOSING_DAYS),
    ).select_related("recheck__school")
    for check in checks:
        left = (check.closes_on - today).days
        school = check.recheck.school
        if 0 <= left < CLOSING_DAYS:
            dues.append(
                dict(
                    kind=NoticeKind.FACTUAL_CHECK_CLOSING,
                    subject=f"factual-check:{check.pk}",
                    due=check.closes_on,
                    stage=Stage.EVENT,
                    title=f"{school.name}：复核结论草稿核对将于 {day(check.closes_on)}截止"
                    f"（还剩 {left + 1} 天，含今天）",
                    body="如有事实错误，请在截止前提交核对意见；如无，请声明无事实错误。"
                    "期满未提交的，视为没有意见。",
                    url=_draft_url(check),
                    user_ids=tuple(u.pk for u in school_staff(school.pk)),
                )
            )
        elif left < 0:
            dues.append(
                dict(
                    kind=NoticeKind.FACTUAL_CHECK_CLOSED,
                    subject=f"factual-check:{check.pk}",
                    due=check.closes_on,
                    stage=Stage.EVENT,
                    title=f"{school.name}：复核结论草稿核对期已于 {day(check.closes_on)}结束",
                    body="核对期已结束，学校未提交的意见视为没有意见；省级管理人员可以发布结论。",
                    url=reverse("review:staff_review", kwargs={"pk": check.recheck_id})
                    + "#factual",
                    school_id=school.pk,
                )
            )
    return dues


# --- Appeals -----------------------------------------------------------------------------------


def _appeal(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_related("school", "verdict").get(pk=appeal.pk)


def _appeal_url(appeal: Appeal) -> str:
    return reverse("review:appeal", kwargs={"pk": appeal.pk})


def appeal_filed(appeal: Appeal) -> list[EventNotice]:
    appeal = _appeal(appeal)
    grounds = "；".join(c.get_ground_display() for c in appeal.claims.all())
    return [
        EventNotice(
            kind=NoticeKind.APPEAL_FILED,
            subject=f"appeal:{appeal.pk}",
            day=day_of(appeal.created),
            title=f"{appeal.school.name}对复核结论提出申诉",
            what=f"{appeal.school.name}对复核结论“{appeal.verdict.get_verdict_display()}”"
            f"提出申诉，事由：{grounds}。",
            next="请专家委员会审阅申诉理由和材料，提出维持或更正的建议。",
            url=_appeal_url(appeal),
            recipients=committee_members(),
        )
    ]


def appeal_recommended(appeal: Appeal) -> list[EventNotice]:
    appeal = _appeal(appeal)
    return [
        EventNotice(
            kind=NoticeKind.APPEAL_RECOMMENDED,
            subject=f"appeal:{appeal.pk}",
            day=day_of(appeal.recommended_at),
            title=f"{appeal.school.name}的申诉：专家委员会{appeal.get_recommendation_display()}",
            what=f"专家委员会审阅了{appeal.school.name}的申诉，"
            f"{appeal.get_recommendation_display()}。",
            next="请作出处理决定：维持原结论，或通过更正记录更正结论。",
            url=_appeal_url(appeal),
            recipients=provincial_staff(),
        )
    ]


def appeal_decided(appeal: Appeal) -> list[EventNotice]:
    appeal = _appeal(appeal)
    if appeal.correction_id:
        shown = appeal.correction.get_verdict_display()
        what = f"省教育厅决定更正复核结论，更正后为“{shown}”。原结论仍可查看，并标明已更正。"
        url = reverse("review:verdict", kwargs={"pk": appeal.correction_id})
    else:
        what = "省教育厅决定维持原复核结论。"
        url = _appeal_url(appeal)
    return [
        EventNotice(
            kind=NoticeKind.APPEAL_DECIDED,
            subject=f"appeal:{appeal.pk}",
            day=day_of(appeal.decided_at),
            title=f"申诉处理结果：{appeal.get_outcome_display()}",
            what=f"{what}理由：{appeal.decision_reason}",
            next="无需办理；专栏中该结论旁注明了申诉及其结果（不含申诉材料）。",
            url=url,
            recipients=school_staff(appeal.school_id),
        )
    ]
