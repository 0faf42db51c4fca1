"""Public, read-only views of the indicator system (R1)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from indicators.models import IndicatorSystem
from indicators.selectors import project_tree, system_as_dict, system_for_version
from zhengai import pagecache


@require_GET
@pagecache.public_page(params=("version",))
def tree(request):
    """The whole tree of one version, in Chinese, to anyone."""
    system = system_for_version(request.GET.get("version"))
    projects = project_tree(system)
    return render(
        request,
        "indicators/tree.html",
        {
            "system": system,
            "projects": projects,
            "versions": IndicatorSystem.objects.only("version", "name", "in_force"),
        },
    )


@require_GET
@pagecache.public_page(params=("version",))
def tree_json(request):
    """The same tree as JSON for other systems: the version in force unless ``?version=``."""
    system = system_for_version(request.GET.get("version"))
    response = JsonResponse(system_as_dict(system), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response.language_independent = True  # the same JSON whatever language is chosen
    return response
