"""The floor: the least a page of this stack can cost, to measure the portal's pages against.

One indexed query (twenty schools by primary key) and a twenty-row template, served through
the same middleware as every page. ``bench_pages.py`` serves it beside the portal's own URLs
(this module is the benchmark's URL configuration).

Beside it, for reading the signed-in pages: the same query and rows for a signed-in person,
inside the portal's layout (``base.html``: the header with the unread count, the navigation
by role). What that costs over the floor (the session, the user, the second factor, the role,
the unread count, the layout) every signed-in page pays before it shows anything.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from schools.models import School

TEMPLATE = engines["django"].from_string(
    """<!doctype html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>学校</title></head>
<body><table>
{% for school in schools %}<tr><td>{{ school.pk }}</td><td>{{ school.name }}</td>
<td>{{ school.get_city_display }}</td></tr>{% endfor %}</table></body></html>"""
)


SIGNED_IN = engines["django"].from_string(
    """{% extends "base.html" %}{% block title %}学校{% endblock %}{% block content %}<table>
{% for school in schools %}<tr><td>{{ school.pk }}</td><td>{{ school.name }}</td>
<td>{{ school.get_city_display }}</td></tr>{% endfor %}</table>{% endblock %}"""
)


def floor(request):
    schools = list(School.objects.filter(pk__gt=0).order_by("pk")[:20])
    return HttpResponse(TEMPLATE.render({"schools": schools}))


@login_required
def signed_in_floor(request):
    schools = list(School.objects.filter(pk__gt=0).order_by("pk")[:20])
    return HttpResponse(SIGNED_IN.render({"schools": schools}, request))


# The project's own list spliced in (it ends with i18n_patterns, which cannot be included).
from zhengai.urls import urlpatterns as project  # noqa: E402

urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor/signed-in/", signed_in_floor),
    *project,
]
