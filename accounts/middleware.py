"""Send a signed-in person who must pass a second factor to the verify (or setup) page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from accounts.services.two_factor import has_two_factor, must_use_two_factor

EXEMPT_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/")
# Public pages are the same for everyone and cached as such: they must not even read the
# session (that alone makes a response vary on the cookie).
PUBLIC_PREFIXES = ("/column/",)


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware: ``request.user.is_verified()`` is known here.

    ``settings.TWO_FACTOR_REQUIRED`` (default True) makes provincial staff and admin users set
    it up; the browser-test conftest turns it off for journeys that are not about sign-in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
            and must_use_two_factor(user)
        ):
            target = (
                "accounts:two_factor_verify"
                if has_two_factor(user)
                else "accounts:two_factor_setup"
            )
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
