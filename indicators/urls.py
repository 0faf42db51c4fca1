from django.urls import path

from indicators import views

urlpatterns = [
    path("indicators/", views.tree, name="indicator_tree"),
    path("indicators.json", views.tree_json, name="indicator_json"),
]
