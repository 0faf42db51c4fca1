"""Two-factor sign-in: required for provincial staff and the admin site, optional otherwise."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_enforcement_is_on_by_default_for_provincial_staff(province, settings):
    assert settings.TWO_FACTOR_REQUIRED is True
    plain = Client()
    assert sign_in(plain, "province")
    response = plain.get("/schools/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/")
    assert plain.get("/admin/").status_code == 302


def test_admin_site_needs_the_second_factor(province):
    province.is_staff = True
    province.save()
    plain = Client()
    sign_in(plain, "province")
    assert plain.get("/admin/")["Location"].startswith("/accounts/two-factor/setup/")


def test_school_staff_need_no_second_factor(alice):
    plain = Client()
    sign_in(plain, "alice")
    assert plain.get("/self-diagnosis/").status_code == 200


def test_setup_shows_qr_and_secret_then_code_gives_recovery_codes_that_work_once(province):
    plain = Client()
    sign_in(plain, "province")
    page = plain.get("/accounts/two-factor/setup/").content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page
    device = TOTPDevice.objects.get(user=province, confirmed=False)
    wrong = plain.post("/accounts/two-factor/setup/", {"token": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp delays the next try after a wrong code
    done = plain.post("/accounts/two-factor/setup/", {"token": _code(device)})
    assert "请保存恢复码" in done.content.decode()
    assert plain.get("/schools/").status_code == 200
    codes = list(StaticToken.objects.filter(device__user=province).values_list("token", flat=True))
    assert len(codes) == 10

    again = Client()
    sign_in(again, "province")
    assert again.get("/schools/")["Location"].startswith("/accounts/two-factor/verify/")
    # A second device cannot be bound before passing the first one.
    assert again.get("/accounts/two-factor/setup/")["Location"].startswith(
        "/accounts/two-factor/verify/"
    )
    assert (
        again.post("/accounts/two-factor/verify/", {"token": codes[0], "next": "/schools/"})[
            "Location"
        ]
        == "/schools/"
    )
    assert again.get("/schools/").status_code == 200
    third = Client()
    sign_in(third, "province")
    reused = third.post("/accounts/two-factor/verify/", {"token": codes[0]})
    assert "验证码不正确" in reused.content.decode()


def test_optional_two_factor_once_set_up_is_asked_of_school_staff(alice):
    TOTPDevice.objects.create(user=alice, name="手机", confirmed=True)
    plain = Client()
    sign_in(plain, "alice")
    assert plain.get("/self-diagnosis/")["Location"].startswith("/accounts/two-factor/verify/")


def test_pages_need_a_sign_in(client):
    for url in (
        "/accounts/two-factor/",
        "/accounts/two-factor/setup/",
        "/accounts/two-factor/verify/",
    ):
        assert client.get(url).status_code == 302
