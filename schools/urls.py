from django.urls import path

from schools import views, views_experts

urlpatterns = [
    path("schools/", views.school_list, name="school_list"),
    path("experts/", views_experts.expert_list, name="expert_list"),
    path("experts/new/", views_experts.expert_new, name="expert_new"),
    path("experts/<int:pk>/", views_experts.expert_detail, name="expert_detail"),
    path(
        "experts/<int:pk>/conflicts/",
        views_experts.expert_conflict_add,
        name="expert_conflict_add",
    ),
    path(
        "experts/<int:pk>/conflicts/<int:conflict_pk>/delete/",
        views_experts.expert_conflict_delete,
        name="expert_conflict_delete",
    ),
    path(
        "experts/<int:pk>/availability/",
        views_experts.expert_availability_set,
        name="expert_availability_set",
    ),
]
