"""What every browser journey does the same way."""

from tests.conftest import PASSWORD


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the login form as ``username`` (any earlier session is dropped)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector(".role-badge")


def journey_recheck():
    """What the journeys start from: the officer, the secretary of 漳州城市职业学院, and the
    school's re-check of 20–22 May 2026 in a cycle the officer opens (the fixtures loaded)."""
    from datetime import date

    from review.models import Recheck
    from review.services.rechecks import create_cycle
    from schools.models import School
    from schools.roles import Role
    from schools.services.people import upsert_person

    officer = upsert_person(
        username="officer", display_name="职成处干部", role=Role.PROVINCIAL_STAFF, password=PASSWORD
    )
    school = School.objects.get(name="漳州城市职业学院")
    secretary = upsert_person(
        username="secretary",
        display_name="质量办",
        role=Role.SCHOOL_STAFF,
        password=PASSWORD,
        school=school,
    )
    recheck = Recheck.objects.create(
        cycle=create_cycle(start_year=2026, user=officer),
        school=school,
        planned_year=2026,
        start_date=date(2026, 5, 20),
        end_date=date(2026, 5, 22),
    )
    return officer, secretary, recheck


def certified_panel(recheck, *, assigned_by=None, employer: str = "外单位") -> list:
    """A certified panel of one expert of each kind on ``recheck``, the first the lead.

    Users ``expert0``, ``expert1``… with the suite's password, granted the re-check as
    ``assign_expert`` grants it; returns their users, the lead first.
    """
    from django.utils import timezone
    from guardian.shortcuts import assign_perm

    from review.models import PanelAssignment
    from schools.models import Expert, ExpertKind
    from schools.roles import Role
    from schools.services.people import upsert_person

    users = []
    for i, kind in enumerate(ExpertKind):
        user = upsert_person(
            username=f"expert{i}", display_name=f"专家{i}", role=Role.EXPERT, password=PASSWORD
        )
        expert = Expert.objects.create(name=f"复核专家{i}", employer=employer, kind=kind, user=user)
        PanelAssignment.objects.create(
            recheck=recheck,
            expert=expert,
            is_lead=i == 0,
            assigned_by=assigned_by,
            certified_at=timezone.now(),
        )
        assign_perm("review.review_recheck", user, recheck)
        users.append(user)
    return users


def draft_checked_by_the_school(page, base: str, recheck_pk: int, *, staff: str, school: str):
    """Staff send the draft verdict to the school, whose staff declare no factual error (each
    after its summary); ends with staff back on the review page, where they may publish."""
    sign_in(page, base, staff)
    page.goto(f"{base}/rechecks/{recheck_pk}/review/")
    page.click("text=审核通过，交学校核对草稿…")
    page.click(".confirm-actions button[type=submit]")
    assert "已交学校核对结论草稿" in page.locator(".messages").inner_text()
    sign_in(page, base, school)
    page.goto(f"{base}/rechecks/{recheck_pk}/draft/")
    page.click("text=声明无事实错误…")
    page.click(".confirm-actions button[type=submit]")
    assert "已声明结论草稿没有事实错误" in page.locator(".messages").inner_text()
    sign_in(page, base, staff)
    page.goto(f"{base}/rechecks/{recheck_pk}/review/")
