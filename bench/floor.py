"""The floor: the least a page of this stack can cost, to measure the portal's pages against.

One indexed query (twenty schools by primary key) and a twenty-row template, served through
the same middleware as every page. ``bench_pages.py`` serves it beside the portal's own URLs
(this module is the benchmark's URL configuration).
"""

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


def floor(request):
    schools = list(School.objects.filter(pk__gt=0).order_by("pk")[:20])
    return HttpResponse(TEMPLATE.render({"schools": schools}))


# The project's own list spliced in (it ends with i18n_patterns, which cannot be included).
from zhengai.urls import urlpatterns as project  # noqa: E402

urlpatterns = [path("bench/floor/", floor), *project]
