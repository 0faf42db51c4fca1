"""A school's page: its facts, its guidance focus (R21), and its whole story.

It lives here, where the project composes its apps, because the story includes the notices
the school was sent, and the domain apps (``schools``, ``review``) never import ``notices``.
Who may open it: provincial staff and the committee, any school; a school's own staff, their
school; everyone else gets 404 (``schools.permissions.get_school_for_user``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from notices.selectors import sent_to_school
from review.selectors.fair import story_entries as fair_verdict_entries
from review.selectors.story import StoryEntry, school_story
from schools.models import GuidanceFocus
from schools.permissions import get_school_for_user, is_provincial
from schools.services.guidance import set_guidance_focus


def _notice_entries(school) -> list[StoryEntry]:
    return [
        StoryEntry(
            day=timezone.localdate(row["sent"]),
            topic="通知",
            text=row["title"] + (f"（发给 {row['people']} 人）" if row["people"] > 1 else ""),
            url=row["url"],
            at=row["sent"],
        )
        for row in sent_to_school(school.pk)
    ]


@login_required
def school_detail(request, pk: int):
    """The school's facts and story; provincial staff also set its guidance focus (R21)."""
    school = get_school_for_user(request.user, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not is_provincial(request.user):
            raise Http404("页面不存在")
        try:
            set_guidance_focus(
                school=school, focus=request.POST.get("guidance_focus", ""), user=request.user
            )
        except ValidationError as exc:
            errors = {key: " ".join(value) for key, value in exc.message_dict.items()}
        else:
            messages.success(request, "分类指导重点已保存。")
            return redirect("school_detail", pk=school.pk)
    return render(
        request,
        "schools/detail.html",
        {
            "school": school,
            "can_set_focus": is_provincial(request.user),
            "focuses": GuidanceFocus.choices,
            "errors": errors,
            "story": school_story(
                school, extra=[*_notice_entries(school), *fair_verdict_entries(school)]
            ),
        },
        status=400 if errors else 200,
    )
