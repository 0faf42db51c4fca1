"""Reminders sent by hand: one notice per recipient through the notices outbox, logged.

The confirmation form carries a token made when the preview was shown; the batch is keyed
on it, so a double submit (or a reload of the POST) finds the batch and writes nothing more.
Each notice has the outbox's once-only key (recipient, kind, subject, date, stage) with the
batch in its subject, and its e-mail goes out after commit like every deadline notice.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from notices.models import NoticeKind, Stage
from notices.services.scan import Due, write_notices
from workbench.models import ReminderBatch, ReminderRecipient, ReminderStep
from workbench.selectors.reminders import Behind

WHAT = {
    ReminderStep.RULES: "本年度学校诊改工作实施细则尚未备案",
    ReminderStep.REPORT: "本年度自我诊断与改进报告尚未提交",
    ReminderStep.PUBLISH: "复核材料尚未在诊改专栏公示",
    ReminderStep.SUBMIT: "复核材料尚未报送省教育评估研究中心",
    ReminderStep.RECTIFICATION: "整改尚未完成",
}


def reminder_text(step: str, due: date | None, note: str = "") -> tuple[str, str]:
    """The title and body every recipient reads."""
    label = ReminderStep(step).label
    when = f"，期限为 {due.year} 年 {due.month} 月 {due.day} 日" if due else ""
    body = f"省级管理人员提醒：贵校{WHAT[ReminderStep(step)]}{when}。请尽快办理。"
    if note.strip():
        body += f"\n附言：{note.strip()}"
    return f"催办提醒：{label}", body


@transaction.atomic
def send_reminder(
    *, token: str, step: str, rows: list[Behind], user, note: str = "", today: date
) -> tuple[ReminderBatch, bool]:
    """Write one reminder notice per recipient and log the batch; (batch, newly sent)."""
    title, body = reminder_text(step, None, note)
    batch, created = ReminderBatch.objects.get_or_create(
        token=token,
        defaults={"step": step, "sent_by": user, "title": title, "body": body},
    )
    if not created:
        return batch, False
    dues = []
    log = []
    for row in rows:
        if not row.people:
            continue
        row_title, row_body = reminder_text(step, row.due, note)
        dues.append(
            Due(
                kind=NoticeKind.MANUAL_REMINDER,
                subject=f"reminder:{batch.pk}:{row.school.pk}",
                due=today,
                stage=Stage.EVENT,
                title=row_title,
                body=row_body,
                url=row.url,
                user_ids=tuple(person.pk for person in row.people),
            )
        )
        log += [ReminderRecipient(batch=batch, school=row.school, user=p) for p in row.people]
    write_notices(dues, today=today)
    ReminderRecipient.objects.bulk_create(log, ignore_conflicts=True)
    batch.schools = len(dues)
    batch.recipients = len(log)
    batch.save(update_fields=["schools", "recipients", "modified"])
    return batch, True
