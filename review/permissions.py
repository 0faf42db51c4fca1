"""Who may see and change self-diagnosis reports. Outsiders get 404, never 403."""

from __future__ import annotations

from django.http import Http404

from review.models import ImplementationRules, SelfDiagnosis
from schools.permissions import is_provincial, reads_everything, school_of


def get_report_for_user(user, pk: int) -> SelfDiagnosis:
    """The report if the user may read it: its school's staff, provincial staff, committee."""
    report = SelfDiagnosis.objects.select_related("school", "system").filter(pk=pk).first()
    if report is None or not (reads_everything(user) or school_of(user) == report.school):
        raise Http404("没有找到这份报告")
    return report


def get_report_for_writer(user, pk: int) -> SelfDiagnosis:
    """The report if the user writes for its school; anyone else gets 404."""
    report = get_report_for_user(user, pk)
    if school_of(user) != report.school:
        raise Http404("没有找到这份报告")
    return report


def can_write(user, report: SelfDiagnosis) -> bool:
    return report.is_draft and school_of(user) == report.school


def can_reopen(user) -> bool:
    return is_provincial(user)


def get_rules_for_user(user, pk: int) -> ImplementationRules:
    rules = ImplementationRules.objects.select_related("school").filter(pk=pk).first()
    if rules is None or not (reads_everything(user) or school_of(user) == rules.school):
        raise Http404("没有找到这份文件")
    return rules
