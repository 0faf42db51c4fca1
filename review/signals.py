"""Move a report's edit-page stamp (``selectors.editor_stamp``) when one of the rows the page
shows is saved or deleted: the report, its element texts, school points, edit conflicts,
panel members and reopenings, and its school (whether the school files rather than submits
decides the page's last step). Rows written in bulk or with ``QuerySet.update`` send no
signal: the services that write them so move the stamp themselves."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from review.models import (
    EditConflict,
    ElementEntry,
    PanelMember,
    Reopening,
    SchoolPoint,
    SelfDiagnosis,
)
from review.selectors.self_diagnosis import editor_stamp
from schools.models import School
from zhengai import stampcache


def _report_changed(sender, instance, using=None, **kwargs) -> None:
    stampcache.changed(editor_stamp(instance.pk), using=using)


def _row_changed(sender, instance, using=None, **kwargs) -> None:
    stampcache.changed(editor_stamp(instance.self_diagnosis_id), using=using)


def _school_changed(sender, instance, using=None, **kwargs) -> None:
    for report_id in SelfDiagnosis.objects.filter(school=instance).values_list("pk", flat=True):
        stampcache.changed(editor_stamp(report_id), using=using)


def connect() -> None:
    post_save.connect(_school_changed, sender=School, dispatch_uid="editor-school")
    post_save.connect(_report_changed, sender=SelfDiagnosis, dispatch_uid="editor-report")
    post_delete.connect(_report_changed, sender=SelfDiagnosis, dispatch_uid="editor-report-del")
    for model in (ElementEntry, SchoolPoint, EditConflict, PanelMember, Reopening):
        uid = f"editor-{model.__name__}"
        post_save.connect(_row_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"{uid}-del")
