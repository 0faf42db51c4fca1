from django.urls import path

from disclosure import views

app_name = "column"

urlpatterns = [
    path("column/", views.home, name="home"),
    path("column/documents/", views.documents, name="documents"),
    path("column/documents/<slug:slug>/", views.document, name="document"),
    path(
        "column/documents/<slug:slug>/original/", views.document_original, name="document_original"
    ),
    path("column/schedule/", views.schedule, name="schedule"),
    path("column/schools/", views.schools, name="schools"),
    path("column/schools/<int:pk>/", views.school, name="school"),
    path("column/files/<str:token>/", views.download, name="download"),
    path("column/verdicts/<int:pk>/", views.verdict, name="verdict"),
    path("column/verdicts/<int:pk>/report.pdf", views.verdict_pdf, name="verdict_pdf"),
    path("column/feed.atom", views.feed, name="feed"),
    path("column/subscribe/", views.subscribe, name="subscribe"),
    path("column/manage/", views.manage, name="manage"),
    path("column/manage/<int:pk>/publish/", views.toggle, name="toggle"),
    path(
        "rechecks/<int:pk>/materials/<int:material_pk>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
]
