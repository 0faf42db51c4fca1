"""People and accounts in a real browser: staff onboard 40 schools' contacts and 100 experts
from a file with errors, fix it and import again; an invitee sets a password and signs in; a
school contact invites a colleague; a password reset; a staff sign-in with two-factor (TOTP).
E-mail goes to Django's in-memory outbox (the Celery tasks run in-process here)."""

import re

import pyotp
import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Invitation
from schools.models import School, User
from schools.roles import Role
from schools.services.people import upsert_person
from tests.accounts.onboarding_files import experts, workbook_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "浏览器-测试-密码-2026"


@pytest.fixture
def live(transactional_db, settings, live_server):
    from zhengai.celery import app

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PORTAL_BASE_URL = live_server.url
    call_command("load_fixtures", verbosity=0)
    app.conf.task_always_eager = True
    yield live_server
    app.conf.task_always_eager = False


def _person(username, role, school=None, **extra):
    user = upsert_person(
        username=username,
        display_name=username,
        role=role,
        password=PASSWORD,
        email=f"{username}@test.invalid",
        school=school,
    )
    for field, value in extra.items():
        setattr(user, field, value)
    user.save()
    return user


def _sign_in(page, url, username, password=PASSWORD):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.card button[type=submit]")


def _link(message, pattern):
    return re.search(pattern, message.body).group(0)


def test_staff_onboard_a_province_and_an_invitee_signs_in(page, live, tmp_path):
    _person("province", Role.PROVINCIAL_STAFF)
    schools = list(School.objects.order_by("pk").values_list("name", flat=True)[:40])
    assert len(schools) == 40
    contacts = [
        (name, f"联络人{i:02d}", f"contact{i:02d}@test.invalid", "是")
        for i, name in enumerate(schools)
    ]
    pool = experts(100)
    bad = list(contacts)
    bad[3] = (schools[3], "联络人03 000-0000-0000", "contact03@test.invalid", "是")  # a phone
    bad[7] = (schools[7], "联络人07", "contact01@test.invalid", "是")  # a duplicate e-mail
    bad[9] = ("不存在的职业学院", "联络人09", "contact09@test.invalid", "否")
    (tmp_path / "bad.xlsx").write_bytes(workbook_bytes(bad, pool))
    (tmp_path / "good.xlsx").write_bytes(workbook_bytes(contacts, pool))

    _sign_in(page, live.url, "province")
    page.goto(f"{live.url}/accounts/onboarding/")
    page.set_input_files("#id_file", str(tmp_path / "bad.xlsx"))
    page.click("text=检查并预览")
    problems = page.locator(".problems").inner_text()
    assert "文件未导入，共 3 处问题" in problems
    assert "第 5 行" in problems and "电话号码" in problems
    assert "第 9 行" in problems and "重复" in problems
    assert "没有名为“不存在的职业学院”的学校" in problems
    assert not User.objects.filter(email__endswith="@test.invalid", username__contains="contact")

    page.set_input_files("#id_file", str(tmp_path / "good.xlsx"))
    page.click("text=检查并预览")
    assert page.locator("#counts").inner_text() == "新建 140 人，更新 0 人，无变化 0 人。"
    page.click("#confirm-import")
    assert "导入完成：新建 140 人" in page.locator(".messages").inner_text()
    assert len(mail.outbox) == 140
    assert Invitation.objects.filter(accepted_at=None).count() == 140

    message = next(m for m in mail.outbox if m.to == ["contact05@test.invalid"])
    assert "密码：" not in message.body  # no password ever travels by e-mail
    invitee = page.context.browser.new_context(locale="zh-CN").new_page()
    invitee.goto(_link(message, r"http\S+/accounts/invitation/\S+/"))
    invitee.fill("#id_password1", "我自己的-新密码-2026")
    invitee.fill("#id_password2", "我自己的-新密码-2026")
    invitee.click("form.card button[type=submit]")
    _sign_in(invitee, live.url, "contact05@test.invalid", "我自己的-新密码-2026")
    assert invitee.locator(".role-badge").inner_text() == "学校用户"
    assert schools[5] in invitee.locator(".who").inner_text()
    page.goto(f"{live.url}/accounts/invitations/?state=used")
    assert page.locator("#invitations tbody tr").count() == 1
    invitee.context.close()


def test_a_school_contact_invites_a_colleague(page, live):
    school = School.objects.order_by("pk").first()
    _person("lianluo", Role.SCHOOL_STAFF, school, is_school_contact=True)
    _sign_in(page, live.url, "lianluo")
    page.click("nav >> text=人员与邀请")
    page.fill("#id_name", "新来的同事")
    page.fill("#id_email", "colleague@test.invalid")
    page.click("text=开通并发送邀请")
    assert "已为 新来的同事 开通账号" in page.locator(".messages").inner_text()
    assert (
        "待设置密码" in page.locator('#people tr[data-email="colleague@test.invalid"]').inner_text()
    )
    assert [m.to for m in mail.outbox] == [["colleague@test.invalid"]]
    assert "/accounts/invitation/" in mail.outbox[0].body


def test_a_password_reset_by_e_mail(page, live):
    _person("forgetful", Role.EXPERT)
    page.goto(f"{live.url}/accounts/login/")
    page.click("text=忘记密码")
    page.fill("#id_email", "forgetful@test.invalid")
    page.click("text=发送重设链接")
    (message,) = mail.outbox
    page.goto(_link(message, r"http\S+/accounts/password/reset/\S+/"))
    page.fill("#id_new_password1", "重新设置的-密码-2026")
    page.fill("#id_new_password2", "重新设置的-密码-2026")
    page.click("text=保存新密码")
    _sign_in(page, live.url, "forgetful", "重新设置的-密码-2026")
    assert page.locator(".role-badge").inner_text() == "复核专家"


def test_staff_sign_in_with_two_factor(page, live, settings):
    settings.TWO_FACTOR_REQUIRED = True
    _person("province", Role.PROVINCIAL_STAFF)
    _sign_in(page, live.url, "province")
    assert page.locator("h1").inner_text() == "开启两步验证"
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("#id_token", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("text=验证并开启")
    assert page.locator(".errorlist").is_visible()  # a wrong code is refused
    page.wait_for_timeout(2_100)  # django-otp throttles: after a failure, wait 1 s, then 2 s…
    page.fill("#id_token", pyotp.TOTP(secret).now())
    page.click("text=验证并开启")
    assert page.locator("h1").inner_text() == "请保存恢复码"
    assert page.locator(".recovery-codes li").count() == 10
    page.click("text=我已保存，继续")
    assert page.locator(".role-badge").inner_text() == "省级管理人员"
    assert page.goto(f"{live.url}/schools/").status == 200
