from django.contrib import admin

from notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "stage", "due_date", "email_status", "created"]
    list_filter = ["kind", "stage", "email_status"]
    search_fields = ["title", "recipient__username"]
    readonly_fields = [f.name for f in Notice._meta.fields]
