"""The four roles of the portal; each person has exactly one, held as a group."""

from django.db import models


class Role(models.TextChoices):
    SCHOOL_STAFF = "school_staff", "学校用户"
    PROVINCIAL_STAFF = "provincial_staff", "省级管理人员"
    EXPERT = "expert", "复核专家"
    COMMITTEE = "committee", "专家委员会委员"


ROLE_GROUPS = frozenset(Role.values)
