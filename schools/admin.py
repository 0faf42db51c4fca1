from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from review.services.panel_assignments import withdraw_for_conflicts
from schools.models import Expert, ExpertAvailability, ExpertConflict, School, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("门户", {"fields": ("display_name",)}),)
    list_display = ["username", "display_name", "email", "is_staff", "is_active"]
    search_fields = ["username", "display_name", "email"]

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser grants superuser status, roles (groups) or single permissions:
        provincial staff keep accounts (names, e-mail, active, admin access, password), and
        roles are given by the portal's role service, which also binds a school."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly


@admin.register(School)
class SchoolAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "city", "ownership", "second_round_status", "annex2_year", "is_new"]
    list_filter = ["city", "ownership", "second_round_status", "annex2_year", "is_new"]
    search_fields = ["name"]


class ExpertConflictInline(admin.TabularInline):
    model = ExpertConflict
    extra = 1
    autocomplete_fields = ["school"]


class ExpertAvailabilityInline(admin.TabularInline):
    model = ExpertAvailability
    extra = 1


@admin.register(Expert)
class ExpertAdmin(SimpleHistoryAdmin):
    inlines = [ExpertConflictInline, ExpertAvailabilityInline]
    list_display = ["name", "employer", "kind", "school", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "employer"]
    autocomplete_fields = ["school", "user"]

    def save_related(self, request, form, formsets, change):
        """R19: a conflict recorded here takes the expert off that school's open panels."""
        super().save_related(request, form, formsets, change)
        withdrawn = withdraw_for_conflicts(expert=form.instance, user=request.user)
        if withdrawn:
            names = "、".join(r.school.name for r in withdrawn)
            self.message_user(request, f"已将该专家移出有利益冲突学校的复核专家组：{names}。")
