"""Two-factor sign-in with django-otp: a TOTP app plus one-time recovery codes.

Required for provincial staff and anyone who may open the admin site (``is_staff``); optional
for everyone else, but once someone has set it up it is asked at every sign-in.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.permissions import is_provincial

RECOVERY_CODES = 10


def must_use_two_factor(user) -> bool:
    """Whether this signed-in person has to pass a second factor before using the portal."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user_has_device(user, confirmed=True):
        return True
    if not getattr(settings, "TWO_FACTOR_REQUIRED", True):
        return False
    return bool(is_provincial(user) or user.is_staff or user.is_superuser)


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (one per person), made on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@transaction.atomic
def confirm(device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code from the app; returns fresh recovery codes, or None."""
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with ten new ones (each works once)."""
    static, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "恢复码"})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def match(user, token: str):
    """The confirmed device (TOTP or recovery code) that accepts ``token``, or None."""
    token = token.strip().replace(" ", "")
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


@transaction.atomic
def disable(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
