from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("self-diagnosis/", views.index, name="index"),
    path("self-diagnosis/open/", views.open_report, name="open"),
    path("self-diagnosis/rules/", views.upload_rules, name="upload_rules"),
    path("self-diagnosis/rules/<int:pk>/download/", views.download_rules, name="download_rules"),
    path("self-diagnosis/<int:pk>/", views.report_page, name="report"),
    path("self-diagnosis/<int:pk>/save/", views.save, name="save"),
    path("self-diagnosis/<int:pk>/panel/", views.panel, name="panel"),
    path("self-diagnosis/<int:pk>/submit/", views.submit, name="submit"),
    path("self-diagnosis/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("self-diagnosis/<int:pk>/report.pdf", views.pdf, name="pdf"),
    path("self-diagnosis/<int:pk>/report.xlsx", views.xlsx, name="xlsx"),
    path("self-diagnosis/<int:pk>/import/", views.import_xlsx, name="import"),
    path("self-diagnosis/<int:pk>/history/", views.history, name="history"),
    path("self-diagnosis/<int:pk>/points/", views.add_point, name="add_point"),
    path(
        "self-diagnosis/<int:pk>/points/<int:point_pk>/delete/",
        views.remove_point,
        name="remove_point",
    ),
    path(
        "self-diagnosis/<int:pk>/conflicts/<int:conflict_pk>/resolve/",
        views.resolve_conflict,
        name="resolve_conflict",
    ),
]
