from django.urls import path

from schools import views

urlpatterns = [
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("experts/", views.expert_list, name="expert_list"),
]
