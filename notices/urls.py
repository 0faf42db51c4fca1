from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.inbox, name="inbox"),
    path("notices/<int:pk>/", views.go, name="go"),
    path("notices/<int:pk>/read/", views.mark_read, name="read"),
    path("notices/read-all/", views.mark_all_read, name="read_all"),
    path("notices/log/", views.log, name="log"),
    path("notices/scan/", views.scan_now, name="scan"),
]
