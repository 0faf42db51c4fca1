"""Chinese first: the language is zh-hans unless the visitor picked another one."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
