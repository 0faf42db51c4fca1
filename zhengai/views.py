"""The home page: each role's workbench, and a public landing page for visitors."""

from django.shortcuts import render

from indicators.models import IndicatorSystem
from schools.permissions import role_of, school_of
from schools.roles import Role
from workbench import views as workbench


def home(request):
    role = role_of(request.user)
    if role == Role.SCHOOL_STAFF:
        school = school_of(request.user)
        if school is None:
            return render(request, "home/school.html", {"school": None})
        return render(request, "home/school.html", workbench.school_context(request, school))
    if role in (Role.PROVINCIAL_STAFF, Role.COMMITTEE):
        return render(request, "home/province.html", workbench.province_context(request))
    if role == Role.EXPERT:
        return render(request, "home/expert.html", workbench.expert_context(request))
    context = {"system": IndicatorSystem.objects.filter(in_force=True).first()}
    if request.user.is_authenticated:
        return render(request, "home/no_role.html", context)
    return render(request, "home/public.html", context)
