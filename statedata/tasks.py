"""Celery tasks of the state data: recompute after an import (takes ids, safe to run twice)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from statedata.services.compute import recompute


@shared_task(name="statedata.tasks.recompute_schools", acks_late=True)
def recompute_schools(school_ids: list[int]) -> int:
    """Indicators, cards and warnings of every year of these schools; notices once."""
    return recompute(school_ids=school_ids).results


def recompute_after_commit(school_ids: list[int]) -> None:
    """Dispatch the recomputation once the import's transaction has committed."""
    ids = sorted(set(school_ids))
    transaction.on_commit(lambda: recompute_schools.delay(ids))
