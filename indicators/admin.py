from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Element, Factor, IndicatorSystem, Point, Project


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0


class ElementInline(admin.TabularInline):
    model = Element
    extra = 0


class PointInline(admin.TabularInline):
    model = Point
    extra = 0


class FactorInline(admin.TabularInline):
    model = Factor
    extra = 0


@admin.register(IndicatorSystem)
class IndicatorSystemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "version", "name", "in_force"]
    inlines = [ProjectInline]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "system"]
    list_filter = ["system"]
    inlines = [ElementInline]


@admin.register(Element)
class ElementAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "report_name", "project"]
    list_filter = ["project__system"]
    inlines = [PointInline]


@admin.register(Point)
class PointAdmin(SimpleHistoryAdmin):
    list_display = ["name", "element", "platform_refs"]
    list_filter = ["element__project__system", "element"]
    search_fields = ["name", "factors__text"]
    inlines = [FactorInline]
