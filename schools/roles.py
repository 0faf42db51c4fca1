"""The four roles of the portal; each person has exactly one, held as a group."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SCHOOL_STAFF = "school_staff", _("学校用户")
    PROVINCIAL_STAFF = "provincial_staff", _("省级管理人员")
    EXPERT = "expert", _("复核专家")
    COMMITTEE = "committee", _("专家委员会委员")


ROLE_GROUPS = frozenset(Role.values)

# The model permissions each role's group holds: the admin site the pages send provincial
# staff to (schools, the expert pool with its conflicts and availability, accounts). Nothing
# is deleted there: schools, experts and accounts are kept and marked inactive instead.
# Every other role holds none; their access is by role and object, not by the admin.
ROLE_MODEL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.PROVINCIAL_STAFF: (
        "schools.view_school",
        "schools.add_school",
        "schools.change_school",
        "schools.view_expert",
        "schools.add_expert",
        "schools.change_expert",
        "schools.view_expertconflict",
        "schools.add_expertconflict",
        "schools.change_expertconflict",
        "schools.delete_expertconflict",
        "schools.view_expertavailability",
        "schools.add_expertavailability",
        "schools.change_expertavailability",
        "schools.delete_expertavailability",
        "schools.view_user",
        "schools.add_user",
        "schools.change_user",
        "indicators.view_indicatorsystem",
        "indicators.view_project",
        "indicators.view_element",
        "indicators.view_point",
    ),
}
