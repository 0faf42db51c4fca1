"""Change password and reset by e-mail: Django's views in Chinese, throttled, sessions ended."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.accounts.helpers import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "另一个-足够长的密码-2026"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_password_change_ends_other_sessions_and_keeps_this_one(alice):
    here, elsewhere = Client(), Client()
    assert sign_in(here, "alice")
    assert sign_in(elsewhere, "alice")
    response = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert here.get("/accounts/password/").status_code == 200  # still signed in here
    assert elsewhere.get("/accounts/password/").status_code == 302  # signed out there
    alice.refresh_from_db()
    assert alice.check_password(NEW)


def test_password_change_page_is_chinese_and_for_signed_in_people_only(client, alice):
    assert client.get("/accounts/password/").status_code == 302
    client.force_login(alice)
    page = client.get("/accounts/password/").content.decode()
    assert "修改密码" in page and "旧密码" in page


def test_reset_mails_a_link_on_portal_base_url_that_sets_a_password(client, alice, settings):
    settings.PORTAL_BASE_URL = "https://zhengai.example.invalid"
    other = Client()
    assert sign_in(other, "alice")
    response = client.post("/accounts/password/reset/", {"email": "ALICE@test.invalid"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "重设" in mail.outbox[0].subject
    link = re.search(r"https://zhengai\.example\.invalid(/accounts/password/reset/\S+/)", body)
    assert link, body
    form = client.get(link.group(1), follow=True)
    assert "设置新密码" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert other.get("/accounts/password/").status_code == 302  # old sessions ended


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "nobody@test.invalid"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_is_throttled_per_address(client, alice):
    for _ in range(3):
        assert (
            client.post("/accounts/password/reset/", {"email": "alice@test.invalid"}).status_code
            == 302
        )
    response = client.post("/accounts/password/reset/", {"email": "alice@test.invalid"})
    assert response.status_code == 200
    assert "过于频繁" in response.content.decode()
    assert len(mail.outbox) == 3
