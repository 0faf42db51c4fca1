"""The four roles of the portal; each person has exactly one, held as a group."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SCHOOL_STAFF = "school_staff", _("学校用户")
    PROVINCIAL_STAFF = "provincial_staff", _("省级管理人员")
    EXPERT = "expert", _("复核专家")
    COMMITTEE = "committee", _("专家委员会委员")


ROLE_GROUPS = frozenset(Role.values)
