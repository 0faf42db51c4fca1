"""The home page: one per role, and a public landing page for visitors."""

from django.shortcuts import render

from indicators.models import IndicatorSystem
from schools import selectors
from schools.models import Expert, ExpertKind
from schools.permissions import role_of, school_of
from schools.roles import Role


def home(request):
    role = role_of(request.user)
    context = {"system": IndicatorSystem.objects.filter(in_force=True).first()}
    if role == Role.SCHOOL_STAFF:
        context["school"] = school_of(request.user)
        return render(request, "home/school.html", context)
    if role in (Role.PROVINCIAL_STAFF, Role.COMMITTEE):
        context["counts"] = selectors.school_counts()
        context["expert_total"] = Expert.objects.filter(active=True).count()
        return render(request, "home/province.html", context)
    if role == Role.EXPERT:
        context["expert"] = (
            Expert.objects.filter(user=request.user).select_related("school").first()
        )
        context["kinds"] = ExpertKind
        return render(request, "home/expert.html", context)
    if request.user.is_authenticated:
        return render(request, "home/no_role.html", context)
    return render(request, "home/public.html", context)
