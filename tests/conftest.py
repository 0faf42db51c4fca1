"""Shared fixtures: the seed data, and one person per role (after healthchecks' hc/test.py).

``alice`` acts for school A, ``bob`` for school B; each must get nothing of the other's.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from schools.models import Expert, ExpertKind, School
from schools.roles import Role
from schools.services.people import upsert_person

PASSWORD = "test-password-不要用"


# Celery settings a test may switch (eager runs, a private queue, a dead broker): each test
# gets them back as they were, so one module's fixture never changes how the next one runs.
_CELERY_KEYS = ("task_always_eager", "task_eager_propagates", "task_default_queue", "broker_url")


@pytest.fixture(autouse=True)
def _celery_conf_restored():
    from zhengai.celery import app

    before = {key: app.conf[key] for key in _CELERY_KEYS}
    yield
    for key, value in before.items():
        app.conf[key] = value


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Each test starts with an empty cache: throttles, cached public pages and the like must
    # not leak from one test into the next (with REDIS_URL set, the cache outlives the run).
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing is not under test here; PBKDF2 would make every login fixture slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class VerifiedClient(Client):
    """The test client whose ``force_login`` also passes the second factor.

    Provincial staff must sign in with two-factor (TOTP); tests that are not about signing in
    log people in with ``force_login``, so it verifies the session with a real confirmed TOTP
    device, as the verify page would. tests/accounts/test_two_factor.py proves the
    requirement is on for a plain client.
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "测试设备"}
        )
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture
def client():
    return VerifiedClient()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The seed data, loaded once into the fresh test database.

    Each test runs in a transaction rolled back at its end, so every test starts from the
    seed as `make run` loads it, without loading it again (a second a test, a third of the
    suite's time). Browser tests run last and flush the database; `seeded` loads it again.
    """
    with django_db_blocker.unblock():
        call_command("load_fixtures", verbosity=0)


def _seed_loaded() -> bool:
    from django.contrib.auth.models import Group

    from disclosure.models import ColumnDocument
    from disclosure.services import PLAN_SLUG
    from indicators.models import IndicatorSystem
    from review.models import Cycle, CycleKind

    return (
        School.objects.exists()
        and IndicatorSystem.objects.exists()
        and Group.objects.exists()
        and Cycle.objects.filter(kind=CycleKind.ANNEX2).exists()
        and ColumnDocument.objects.filter(slug=PLAN_SLUG).exists()
    )


@pytest.fixture
def seeded(db):
    """The indicator system, the schools and the role groups, as `make run` loads them."""
    if not _seed_loaded():
        call_command("load_fixtures", verbosity=0)


@pytest.fixture
def school_a(seeded) -> School:
    return School.objects.get(name="厦门海洋职业技术学院")


@pytest.fixture
def school_b(seeded) -> School:
    return School.objects.get(name="福建船政交通职业学院")


def _person(username: str, role: Role, school: School | None = None):
    return upsert_person(
        username=username,
        display_name=username,
        role=role,
        password=PASSWORD,
        email=f"{username}@test.invalid",
        school=school,
    )


@pytest.fixture
def alice(school_a):
    return _person("alice", Role.SCHOOL_STAFF, school_a)


@pytest.fixture
def bob(school_b):
    return _person("bob", Role.SCHOOL_STAFF, school_b)


@pytest.fixture
def province(seeded):
    return _person("province", Role.PROVINCIAL_STAFF)


@pytest.fixture
def expert(seeded):
    user = _person("expert", Role.EXPERT)
    Expert.objects.create(
        name="测试专家", employer="测试单位", kind=ExpertKind.EDUCATION_RESEARCH, user=user
    )
    return user


@pytest.fixture
def committee(seeded):
    return _person("committee", Role.COMMITTEE)


@pytest.fixture
def everyone(alice, bob, province, expert, committee) -> dict:
    return {
        "alice": alice,
        "bob": bob,
        "province": province,
        "expert": expert,
        "committee": committee,
    }


@pytest.fixture
def report_a(alice, school_a):
    """School A's 2026 self-diagnosis, opened by alice."""
    from review.services.self_diagnosis import open_self_diagnosis

    return open_self_diagnosis(school=school_a, year=2026, user=alice)


@pytest.fixture
def carol(alice, school_a):
    """alice's colleague at school A, for concurrent edits."""
    return _person("carol", Role.SCHOOL_STAFF, school_a)


def panel_members(total: int = 9, external: int = 5) -> list[dict]:
    """A made-up self-diagnosis panel (R22: no real people)."""
    return [
        {
            "name": f"专家{i:02d}",
            "employer": "外校" if i <= external else "本校",
            "external": i <= external,
        }
        for i in range(1, total + 1)
    ]


def filled(report, user) -> None:
    """A panel and every text written: nothing stands between the report and submission."""
    from review.services import self_diagnosis as service
    from review.services.self_diagnosis import TextEdit

    service.save_draft(
        self_diagnosis=report,
        user=user,
        overview=TextEdit(values={"overview": "概述"}, revision=report.revision),
        entries={
            e.element.code: TextEdit(
                values={"opinion": "意见", "measures": "措施", "effects": "已实施"},
                revision=e.revision,
            )
            for e in report.entries.select_related("element")
        },
    )
    service.save_panel(self_diagnosis=report, user=user, members=panel_members())


def filled_and_submitted(report, user) -> None:
    """``filled``, then signed and submitted: the report is locked."""
    from datetime import date

    from review.services import self_diagnosis as service

    filled(report, user)
    service.submit(
        self_diagnosis=report, user=user, principal_name="王校长", signed_on=date(2026, 6, 1)
    )


@pytest.fixture
def cycle_2026(province):
    from review.services.rechecks import create_cycle

    return create_cycle(start_year=2026, user=province)


@pytest.fixture
def recheck_a(cycle_2026, school_a):
    """School A picked in the 2026–2028 cycle, scheduled for 20–22 May 2026."""
    from datetime import date

    from review.models import Recheck

    recheck = Recheck.objects.create(cycle=cycle_2026, school=school_a, planned_year=2026)
    recheck.start_date, recheck.end_date = date(2026, 5, 20), date(2026, 5, 22)
    recheck.save()
    return recheck


@pytest.fixture
def assigned_expert(expert, recheck_a, province):
    """The `expert` user's pool entry assigned to recheck_a (not yet certified)."""
    from review.services.panel_assignments import assign_expert

    return assign_expert(recheck=recheck_a, expert=expert.expert, user=province, reason="测试指派")


@pytest.fixture
def panel_of_three(recheck_a, province):
    """Three certified experts on recheck_a, the first the lead; returns their users."""
    from django.utils import timezone
    from guardian.shortcuts import assign_perm

    from review.models import PanelAssignment

    users = []
    for i, kind in enumerate(["vocational_college", "education_research", "industry_enterprise"]):
        user = _person(f"panel{i}", Role.EXPERT)
        expert = Expert.objects.create(name=f"合议专家{i}", employer="外单位", kind=kind, user=user)
        PanelAssignment.objects.create(
            recheck=recheck_a,
            expert=expert,
            is_lead=i == 0,
            assigned_by=province,
            certified_at=timezone.now(),
        )
        assign_perm("review.review_recheck", user, recheck_a)  # as assign_expert grants it
        users.append(user)
    return users


ELEMENT_CODES = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2"]
ELEMENT_CODES += ["5.1", "5.2", "5.3", "5.4"]


def panel_consolidates(
    recheck,
    experts,
    findings,
    *,
    rating: str = "strong",
    expert_reason: str = "措施可行",
    consolidated=None,
    lead_reason: str = "专家组意见",
    report: str = "复核报告初稿",
):
    """Every expert submits ``findings``; the lead (the first) submits the consolidation:
    ``consolidated``, or the same findings."""
    from review.services import scoring

    for user in experts:
        scoring.save_findings(
            assignment=recheck.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating=rating,
            measures_reason=expert_reason,
            submit=True,
        )
    scoring.save_consolidation(
        recheck=recheck,
        user=experts[0],
        findings=findings if consolidated is None else consolidated,
        measures_rating=rating,
        measures_reason=lead_reason,
        report=report,
        submit=True,
    )


def scored_and_consolidated(recheck, experts, *, matched: int, rating: str) -> None:
    """Every expert finds the first ``matched`` elements consistent; the lead consolidates
    the same, each with its reason."""
    from review.services.scoring import FindingInput

    findings = {
        code: FindingInput(i < matched, "" if i < matched else "与材料不符")
        for i, code in enumerate(ELEMENT_CODES)
    }
    consolidated = {
        code: FindingInput(f.consistent, "合议：" + (f.reason or "相符"))
        for code, f in findings.items()
    }
    panel_consolidates(
        recheck,
        experts,
        findings,
        rating=rating,
        expert_reason="理由",
        consolidated=consolidated,
        report="复核报告正文",
    )


def score_and_publish(recheck, experts, province, *, matched: int, rating: str):
    """Every expert scores, the lead consolidates ``matched`` consistent elements, staff publish."""
    from review.services import publication

    scored_and_consolidated(recheck, experts, matched=matched, rating=rating)
    school_checks_the_draft(recheck, province)
    return publication.publish_verdict(recheck=recheck, user=province)


def school_checks_the_draft(recheck, province):
    """R28: staff accept the consolidation and send the draft to the school, whose staff find
    no factual error; staff may publish then."""
    from django.utils import timezone

    from review.services import factual_check

    today = max(timezone.localdate(), recheck.end_date)
    check = factual_check.open_factual_check(recheck=recheck, user=province, today=today)
    from notices.services.events import school_staff

    # One of the school's own people if it has any (a new one would be told of the verdict).
    acting = school_staff(recheck.school_id)
    school_user = acting[0] if acting else _person("checker", Role.SCHOOL_STAFF, recheck.school)
    return factual_check.declare_no_points(check=check, user=school_user)


def names_rule(text: str, *rule_ids: str) -> bool:
    """Whether ``text`` names one of these rule ids as a word (an "R9" inside a random CSRF
    token or a hash is not one)."""
    import re

    return any(re.search(rf"(?<![A-Za-z0-9]){rule}(?![A-Za-z0-9])", text) for rule in rule_ids)
