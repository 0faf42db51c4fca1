"""Public pages kept rendered on the server until what they show changes.

A page is stored with the *stamp* it was rendered under: one number for all public pages,
set to the time of the last change. Model signals (connected by the apps that own the rows:
``disclosure``, ``indicators``) call ``changed``, which moves the stamp on when the
transaction commits; every page stored under an older stamp is then a miss and is rendered
again. The stamp is read before the page is rendered, so a page rendered from data older
than a commit is never stored under the stamp that commit set.

Where the stamp lives: in the cache itself when it is shared (Redis, ``REDIS_URL``), and in
a file's modification time otherwise (the embedded default keeps pages in each process's
local memory; the worker and the web process share the file, so a change the worker makes
reaches the web process too).

Only visitors without a session are served from or stored to the cache: a signed-in person
always gets a page rendered for them, and never stores one. A page whose layout carries the
language form gets its CSRF token put in per request, never one visitor's token for all.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from zhengai.redis_cache import cache_is_shared
from zhengai.release import release

STAMP_KEY = "public-pages:stamp"
PAGE_PREFIX = "public-page:"
PAGE_TIMEOUT = 24 * 60 * 60
KEPT_HEADERS = ("Content-Type", "Access-Control-Allow-Origin", "Content-Disposition")
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_HOLE = b"\x00csrf\x00"


def _stamp_file() -> Path:
    return Path(settings.VAR_DIR) / "public-pages.stamp"


# --- The stamp ------------------------------------------------------------------------------


def bump() -> None:
    """Every stored public page is out of date from now on."""
    now = time.time_ns()
    if cache_is_shared():
        cache.set(STAMP_KEY, now, timeout=None)
        return
    path = _stamp_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, ns=(now, now))


def _file_stamp() -> int | None:
    try:
        return _stamp_file().stat().st_mtime_ns
    except FileNotFoundError:
        return None


def changed(sender=None, **kwargs) -> None:
    """Signal receiver: a row a public page shows was saved or deleted.

    The stamp moves on now and again when the transaction commits (once per transaction,
    however many rows changed): a page rendered between the two, from the data as it was
    before the commit, is stored under a stamp the commit then leaves behind.
    """
    bump()
    connection = connections[kwargs.get("using") or DEFAULT_DB_ALIAS]
    if connection.in_atomic_block and any(entry[1] is bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(bump, using=connection.alias)


# --- Serving --------------------------------------------------------------------------------


def personal(request) -> bool:
    """A request that may carry per-person content: a session or pending messages."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


def _key(request, language: bool) -> str:
    lang = ""
    if language:
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if lang not in {code for code, _ in settings.LANGUAGES}:
            lang = settings.LANGUAGE_CODE
    raw = "|".join(
        (
            release(),  # a deploy never serves the page the previous code made
            request.scheme,
            request.get_host(),
            request.path,
            request.GET.urlencode(),
            lang,
        )
    )
    return PAGE_PREFIX + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def _lookup(key: str) -> tuple[int, dict | None]:
    if cache_is_shared():
        found = cache.get_many([STAMP_KEY, key])
        stamp = found.get(STAMP_KEY)
        if stamp is None:
            stamp = time.time_ns()
            if not cache.add(STAMP_KEY, stamp, timeout=None):
                stamp = cache.get(STAMP_KEY, stamp)
            return stamp, None
        return stamp, found.get(key)
    stamp = _file_stamp()
    if stamp is None:
        bump()
        return _file_stamp() or 0, None
    return stamp, cache.get(key)


def _entry(response: HttpResponse, stamp: int, with_csrf: bool) -> dict:
    content = response.content
    if with_csrf:
        content = CSRF_FIELD.sub(rb"\1" + CSRF_HOLE + rb"\2", content)
    return {
        "stamp": stamp,
        "status": response.status_code,
        "content": content,
        "headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
        "language_independent": getattr(response, "language_independent", False),
        "etag": hashlib.sha256(content).hexdigest()[:32],
    }


def _response(entry: dict, request, with_csrf: bool) -> HttpResponse:
    content = entry["content"]
    if with_csrf:
        content = content.replace(CSRF_HOLE, get_token(request).encode("ascii"))
    response = HttpResponse(content, status=entry["status"])
    response.language_independent = entry["language_independent"]
    for header, value in entry["headers"].items():
        response[header] = value
    return response


def public_page(*, params: tuple[str, ...] = (), language: bool = False, csrf: bool = False):
    """Serve a public GET page from the cache, with ETag / Last-Modified and 304s.

    ``params``: the query parameters the page reads (any other one: not cached);
    ``language``: the page follows the visitor's language cookie (a copy per language);
    ``csrf``: the layout carries a CSRF token, put in per request.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if (
                request.method not in ("GET", "HEAD")
                or personal(request)
                or any(name not in params for name in request.GET)
            ):
                return view(request, *args, **kwargs)
            key = _key(request, language)
            stamp, entry = _lookup(key)
            if entry is not None and entry["stamp"] == stamp:
                response = _response(entry, request, csrf)
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming or response.cookies:
                    return response
                entry = _entry(response, stamp, csrf)
                cache.set(key, entry, timeout=PAGE_TIMEOUT)
            etag = entry["etag"]
            if csrf:
                # A stored copy holds a token for the visitor's CSRF cookie: valid while it is.
                cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
                etag = hashlib.sha256(f"{etag}{cookie}".encode()).hexdigest()[:32]
            etag = f'"{etag}"'
            last_modified = stamp // 1_000_000_000
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            # Shared caches and browsers may keep a copy but ask again each time (a 304 when
            # nothing changed): a change is seen at once, never after a max-age.
            if csrf:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, no_cache=True)
            return get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )

        return wrapped

    return decorate
