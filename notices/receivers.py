"""Notices for what the workflow announces (``review/events.py``): the subscriber side.

Each receiver writes its rows in the step's own transaction (a rolled-back step leaves no
notice); the rows' once-only key makes a repeated signal add nothing. A receiver never fails
the step it hears about: its writes run in a savepoint, and an error is logged, not raised
(the verdict is published even if its notice could not be written).
"""

from __future__ import annotations

import logging
from functools import wraps

from django.db import transaction
from django.dispatch import receiver

from notices.services import events as told
from notices.services import fair, outcomes
from notices.services.scan import sanction_dues, write_notices
from review import events

logger = logging.getLogger(__name__)


def _quietly(write):
    @wraps(write)
    def run(sender, **kwargs) -> None:
        try:
            with transaction.atomic():  # a savepoint: a failed write leaves the step intact
                write(sender, **kwargs)
        except Exception:
            logger.exception("通知未能写入：%s", write.__name__)

    return run


@receiver(events.sanction_opened)
@_quietly
def sanction_opened(sender, *, sanction, **kwargs) -> None:
    """Tell the school and staff the day a sanction opens (the scan's key: never twice)."""
    write_notices(sanction_dues(sanction, sanction.opened_on))


@receiver(events.sanction_lifted)
@_quietly
def sanction_lifted(sender, *, sanction, **kwargs) -> None:
    told.write(outcomes.sanction_lifted(sanction))


@receiver(events.experts_assigned)
@_quietly
def experts_assigned(sender, *, changes, **kwargs) -> None:
    told.write(told.experts_assigned(changes))


@receiver(events.expert_removed)
@_quietly
def expert_removed(sender, *, change, **kwargs) -> None:
    told.write(told.expert_removed(change))


@receiver(events.lead_named)
@_quietly
def lead_named(sender, *, change, **kwargs) -> None:
    told.write(told.lead_named(change))


@receiver(events.materials_published)
@_quietly
def materials_published(sender, *, recheck, **kwargs) -> None:
    told.write(told.materials_published(recheck))


@receiver(events.materials_submitted)
@_quietly
def materials_submitted(sender, *, recheck, **kwargs) -> None:
    told.write(told.materials_submitted(recheck))


@receiver(events.material_withdrawn)
@_quietly
def material_withdrawn(sender, *, material, **kwargs) -> None:
    told.write(told.material_withdrawn(material))


@receiver(events.findings_submitted)
@_quietly
def findings_submitted(sender, *, assignment, **kwargs) -> None:
    told.write(outcomes.findings_submitted(assignment))


@receiver(events.consolidation_submitted)
@_quietly
def consolidation_submitted(sender, *, consolidation, **kwargs) -> None:
    told.write(outcomes.consolidation_submitted(consolidation))


@receiver(events.consolidation_returned)
@_quietly
def consolidation_returned(sender, *, recheck, reason, **kwargs) -> None:
    told.write(outcomes.consolidation_returned(recheck, reason))


@receiver(events.verdict_published)
@_quietly
def verdict_published(sender, *, record, **kwargs) -> None:
    told.write(outcomes.verdict_published(record))


@receiver(events.verdict_corrected)
@_quietly
def verdict_corrected(sender, *, record, **kwargs) -> None:
    told.write(outcomes.verdict_corrected(record))


@receiver(events.rectification_reported)
@_quietly
def rectification_reported(sender, *, rectification, **kwargs) -> None:
    told.write(outcomes.rectification_reported(rectification))


@receiver(events.report_reopened)
@_quietly
def report_reopened(sender, *, reopening, **kwargs) -> None:
    told.write(outcomes.report_reopened(reopening))


@receiver(events.factual_check_opened)
@_quietly
def factual_check_opened(sender, *, factual_check, **kwargs) -> None:
    told.write(fair.factual_check_opened(factual_check))


@receiver(events.factual_points_submitted)
@_quietly
def factual_points_submitted(sender, *, factual_check, **kwargs) -> None:
    told.write(fair.factual_points_submitted(factual_check))


@receiver(events.factual_points_answered)
@_quietly
def factual_points_answered(sender, *, factual_check, **kwargs) -> None:
    told.write(fair.factual_points_answered(factual_check))


@receiver(events.appeal_filed)
@_quietly
def appeal_filed(sender, *, appeal, **kwargs) -> None:
    told.write(fair.appeal_filed(appeal))


@receiver(events.appeal_recommended)
@_quietly
def appeal_recommended(sender, *, appeal, **kwargs) -> None:
    told.write(fair.appeal_recommended(appeal))


@receiver(events.appeal_decided)
@_quietly
def appeal_decided(sender, *, appeal, **kwargs) -> None:
    told.write(fair.appeal_decided(appeal))
