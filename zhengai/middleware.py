"""Chinese first: the portal is zh-hans; the column's English frame lives under /en/."""

from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """The portal is Chinese; only the public column has an English frame, at its own address.

    The browser's Accept-Language and the language cookie are both ignored: the portal's
    pages (workbenches, reports, reviews, state data) are written and filled in Chinese, so an
    English frame around them would label Chinese text as English (``lang="en"``). English
    exists where it is translated — the column at ``/en/column/…`` — and the address decides
    there, so a page and its cached copy are one language for everyone. The portal's footer
    links to it instead of offering a language switch.
    """

    def process_request(self, request):
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        """Vary on Cookie (a portal page depends on who is signed in; Accept-Language is
        ignored), unless the page is the same for everyone (the public column), which a shared
        cache may then keep."""
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
