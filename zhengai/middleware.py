"""Chinese first: the language is zh-hans unless the visitor picked another one."""

from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but ignores the browser's Accept-Language.

    The pages are written in Chinese; an English browser must not get ``lang="en"`` on a
    Chinese page. English is used only when chosen with the language switch (its cookie).
    """

    def process_request(self, request):
        # The public column has an address per language (/column/…, /en/column/…): there
        # the address decides, so a page and its cached copy are one language for everyone.
        from_path = translation.get_language_from_path(request.path_info)
        if from_path:
            translation.activate(from_path)
            request.LANGUAGE_CODE = translation.get_language()
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        if language != settings.LANGUAGE_CODE and not is_valid_path(
            request.path_info, getattr(request, "urlconf", None)
        ):
            # An address without a language prefix under the column is the Chinese page,
            # whatever the cookie says.
            translation.activate(settings.LANGUAGE_CODE)
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


class RefuseNulCharactersMiddleware:
    """A request whose parameters hold a NUL character gets 400, never a 500.

    No person types U+0000; it comes from a tampered request or a broken client, and
    PostgreSQL refuses it in text columns and in search filters. Checked once here rather
    than in every view that reads a text field (forms already refuse it by field).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return render(request, "400.html", {"reason": NUL_MESSAGE}, status=400)
        return self.get_response(request)


NUL_MESSAGE = "提交的内容含有不允许的空字符（U+0000），没有保存任何内容。请检查后重新填写。"


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in v for v in params.getlist(key)) for key in params)
