"""Chinese first: the language is zh-hans unless the visitor picked another one."""

from django.conf import settings
from django.http import HttpResponse
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


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body exceeds the largest allowed upload, with 413,
    before anything reads the body (Django would otherwise spool it to disk first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            megabytes = limit // (1024 * 1024)
            response = HttpResponse(
                f"提交的内容太大：一次最多 {megabytes} MB。请把文件压缩或拆分后再上传。\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            # The unread body stays in the socket: the connection cannot be reused.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
