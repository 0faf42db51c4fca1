"""Chinese first: the language is zh-hans unless the visitor picked another one."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but ignores the browser's Accept-Language.

    The pages are written in Chinese; an English browser must not get ``lang="en"`` on a
    Chinese page. English is used only when chosen with the language switch (its cookie).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        """Vary on the language cookie (we ignore Accept-Language), unless the page is one
        language for everyone (the public column), which a shared cache may then keep."""
        if not getattr(response, "language_independent", False):
            patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
