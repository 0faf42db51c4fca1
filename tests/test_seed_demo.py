"""seed_demo: idempotent, made-up people only (R22)."""

import re

import pytest
from django.core.management import call_command

from schools.models import Expert, User
from schools.permissions import role_of, school_of
from schools.roles import Role

pytestmark = pytest.mark.django_db


def _state():
    from review.models import ElementEntry, SelfDiagnosis

    return (
        sorted(User.objects.values_list("username", "display_name", "email")),
        sorted(Expert.objects.values_list("pk", "name", "employer", "kind", "school_id")),
        sorted(SelfDiagnosis.objects.values_list("pk", "overview", "revision")),
        [(ElementEntry.history.count(),)],
    )


def test_seed_demo_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = _state()
    call_command("seed_demo")
    assert _state() == first
    output = capsys.readouterr().out
    assert "zhengai-demo-2026" in output and "school.xmhy" in output


def test_seed_demo_gives_every_role_a_login():
    call_command("seed_demo", stdout=None)
    roles = {role_of(user) for user in User.objects.all()}
    assert roles == set(Role)
    assert school_of(User.objects.get(username="school.xmhy")).name == "厦门海洋职业技术学院"
    assert User.objects.get(username="expert.a").expert.name == "演示专家甲"
    assert User.objects.get(username="province").check_password("zhengai-demo-2026")


def test_r22_demo_people_are_made_up_and_have_no_phone_or_real_mail():
    call_command("seed_demo")
    for user in User.objects.all():
        assert user.email.endswith(".invalid")
    for expert in Expert.objects.all():
        assert "演示" in expert.name
    text = " ".join(str(v) for row in _state()[:2] for item in row for v in item)
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产模式下不创建演示数据"):
        call_command("seed_demo")
