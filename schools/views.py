"""Pages about schools and the expert pool; every check goes through ``permissions``."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from schools import selectors
from schools.models import City, SecondRoundStatus
from schools.permissions import reads_everything


@login_required
def school_list(request):
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    filters = {key: request.GET.get(key, "") for key in ("q", "city", "status", "year")}
    schools = selectors.school_list(request.user, filters=filters)
    return render(
        request,
        "schools/list.html",
        {
            "schools": schools,
            "filters": filters,
            "cities": City.choices,
            "statuses": SecondRoundStatus.choices,
            "years": [2017, 2018, 2019, 2020],
        },
    )
