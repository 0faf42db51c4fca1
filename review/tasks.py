"""Celery tasks of the workflow: each takes ids and is safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from review.services import bundle, cycle_export, verdict_document

logger = logging.getLogger(__name__)


@shared_task(name="review.tasks.store_verdict_pdf", acks_late=True)
def store_verdict_pdf(record_id: int) -> str:
    """Render a published verdict's PDF once and store it; returns its SHA-256."""
    return verdict_document.store_verdict_pdf(record_id=record_id).pdf_sha256


def queue_verdict_pdf(record_id: int) -> None:
    """Queue the render; a broker outage is logged, never raised.

    Nothing is lost: the first download of a record without its file queues it again (the
    column) or renders and stores it (a logged-in reader).
    """
    try:
        store_verdict_pdf.delay(record_id)
    except Exception:  # noqa: BLE001 - any broker error
        logger.warning("复核结论 PDF 未能入队（消息队列不可用）：%s", record_id, exc_info=True)


@shared_task(name="review.tasks.export_cycle_overview", acks_late=True)
def export_cycle_overview(cycle_id: int, filters: dict, stamp: str) -> str:
    """Write a cycle overview's workbook for this data stamp; returns the file's name."""
    return cycle_export.build(cycle_id=cycle_id, filters=filters, stamp=stamp).name


def queue_cycle_export(cycle_id: int, filters: dict, stamp: str) -> bool:
    """Queue the export; False when the broker is out of reach (logged, never raised)."""
    try:
        export_cycle_overview.delay(cycle_id, filters, stamp)
    except Exception:  # noqa: BLE001 - any broker error
        logger.warning("周期总览导出未能入队（消息队列不可用）：%s", cycle_id, exc_info=True)
        return False
    return True


@shared_task(name="review.tasks.build_materials_bundle", acks_late=True)
def build_materials_bundle(recheck_id: int) -> str:
    """Write a re-check's materials zip for the files as they are now; returns its name."""
    return bundle.build(recheck_id=recheck_id).name


def queue_materials_bundle(recheck_id: int) -> bool:
    """Queue the zip; False when the broker is out of reach (logged, never raised)."""
    try:
        build_materials_bundle.delay(recheck_id)
    except Exception:  # noqa: BLE001 - any broker error
        logger.warning("复核材料压缩包未能入队（消息队列不可用）：%s", recheck_id, exc_info=True)
        return False
    return True
