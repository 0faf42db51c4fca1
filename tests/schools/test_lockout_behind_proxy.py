"""Behind the HTTPS proxy, wrong passwords lock one user from one address, not the user
everywhere: django-axes reads the client from X-Forwarded-For with exactly one trusted hop."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"  # every request reaches gunicorn from the proxy
A = "203.0.113.5"
B = "198.51.100.7"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_HOPS = 1


def _login(client, password, forwarded_for):
    return client.post(
        "/accounts/login/",
        {"username": "alice", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def _fail_from_a(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "wrong", A).status_code == 200
    assert _login(client, "wrong", A).status_code == 429  # the last allowed failure locks


def test_wrong_passwords_from_one_address_do_not_lock_the_user_elsewhere(
    client, alice, settings, behind_proxy
):
    _fail_from_a(client, settings)
    response = _login(client, PASSWORD, B)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_wrong_passwords_lock_the_user_from_that_address(client, alice, settings, behind_proxy):
    _fail_from_a(client, settings)
    response = _login(client, PASSWORD, A)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_forged_forwarded_entry_does_not_escape_the_lock(client, alice, settings, behind_proxy):
    _fail_from_a(client, settings)
    # The visitor at A sends its own X-Forwarded-For; the proxy appends the real address.
    response = _login(client, PASSWORD, f"{B}, {A}")
    assert response.status_code == 429


def test_without_a_trusted_hop_the_header_is_ignored(client, alice, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=A,
        )
    # Same REMOTE_ADDR, any header: locked, as the header is not trusted without a proxy.
    assert _login(client, PASSWORD, B).status_code == 429


def test_production_trusts_one_hop_and_the_environment_can_change_it():
    env = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_HOPS"} | {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k" * 30 + "abcdefghij" * 3,
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "postgres://portal@db.example.org:5432/zhengai",
        "REDIS_URL": "redis://redis.example.org:6379/0",
        "PORTAL_BASE_URL": "https://zhengai.example.org",
    }
    code = "from django.conf import settings; print(settings.TRUSTED_PROXY_HOPS)"

    def hops(**extra):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env | extra,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    assert hops() == "1"
    assert hops(TRUSTED_PROXY_HOPS="2") == "2"
