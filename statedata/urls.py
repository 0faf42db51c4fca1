from django.urls import path

from statedata import views

app_name = "statedata"

urlpatterns = [
    path("statedata/", views.index, name="index"),
    path("statedata/template.xlsx", views.template, name="template"),
    path("statedata/school/<int:pk>/", views.school, name="school"),
    path("statedata/school/<int:pk>/upload/", views.upload, name="upload"),
    path("statedata/school/<int:pk>/category/", views.category, name="category"),
]
