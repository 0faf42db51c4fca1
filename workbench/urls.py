from django.urls import path

from workbench import views

app_name = "workbench"

urlpatterns = [
    path("workbench/school/", views.school_workbench, name="school"),
    path("workbench/province/", views.province_workbench, name="province"),
    path("workbench/expert/", views.expert_workbench, name="expert"),
    path("workbench/heatmap/", views.heatmap, name="heatmap"),
    path("workbench/reminders/", views.reminders, name="reminders"),
    path("workbench/reminders/log/", views.reminder_log, name="reminder_log"),
]
