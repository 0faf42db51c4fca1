"""The visitor's address as the HTTPS proxy in front of the portal saw it.

In production gunicorn sees only the proxy, so every visitor has the proxy's address. The proxy
appends the address it received the request from to ``X-Forwarded-For``; only the last
``TRUSTED_PROXY_HOPS`` entries were written by proxies we run, everything left of them is
whatever the visitor chose to send. So the client is the entry ``TRUSTED_PROXY_HOPS`` places
from the right, and ``REMOTE_ADDR`` when there is no proxy (development) or no such entry.
django-axes locks by this address together with the user name.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < hops:
        return remote
    candidate = entries[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
