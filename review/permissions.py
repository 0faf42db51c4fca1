"""Who may see and change self-diagnosis reports. Outsiders get 404, never 403."""

from __future__ import annotations

from django.http import Http404

from review.models import ImplementationRules, PanelAssignment, Recheck, SelfDiagnosis
from schools.models import ExpertConflict
from schools.permissions import is_provincial, reads_everything, role_of, school_of
from schools.roles import Role


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


# --- Re-checks -------------------------------------------------------------------------------


def _assignment(user, recheck):
    from guardian.core import ObjectPermissionChecker

    # The object permission is the grant; the assignment row carries the certification.
    if not ObjectPermissionChecker(user).has_perm("review_recheck", recheck):
        return None
    return PanelAssignment.objects.filter(recheck=recheck, expert__user=user).first()


def get_recheck_for_user(user, pk: int):
    """A re-check for staff, the committee, its school, and the experts assigned to it."""
    recheck = Recheck.objects.select_related("school", "cycle").filter(pk=pk).first()
    if recheck is None:
        raise Http404("没有找到这项复核")
    if reads_everything(user) or school_of(user) == recheck.school:
        return recheck
    if role_of(user) == Role.EXPERT and _assignment(user, recheck):
        return recheck
    raise Http404("没有找到这项复核")


def expert_assignment(user, recheck):
    """The user's assignment on this re-check if they are an assigned expert, else None."""
    if role_of(user) != Role.EXPERT:
        return None
    return _assignment(user, recheck)


def can_see_materials(user, recheck) -> bool:
    """R19: assigned experts only after certifying no conflict; the school and staff always."""
    if reads_everything(user) or school_of(user) == recheck.school:
        return True
    assignment = expert_assignment(user, recheck)
    if not (assignment and assignment.certified_at):
        return False
    # A conflict on record (however it was recorded) blocks the materials at once.
    expert = assignment.expert
    return expert.school_id != recheck.school_id and not (
        ExpertConflict.objects.filter(expert=expert, school_id=recheck.school_id).exists()
    )


def sees_verdict_before_publication(user, recheck) -> bool:
    """The verdict the rule gives, between consolidation and staff's sign-off: certified panel
    members, provincial staff and the committee only; never the school or an uncertified expert.
    """
    if reads_everything(user):
        return True
    assignment = expert_assignment(user, recheck)
    return bool(assignment and assignment.certified_at)


def is_school_of(user, recheck) -> bool:
    return school_of(user) == recheck.school


def require_provincial(user) -> None:
    if not is_provincial(user):
        raise Http404("页面不存在")


def can_download_bundle(user, recheck) -> bool:
    """All of a re-check's materials in one zip: provincial staff, and the panel's certified
    experts while they may see the materials (no conflict on record); no one else."""
    if is_provincial(user):
        return True
    return expert_assignment(user, recheck) is not None and can_see_materials(user, recheck)
