from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhengai import school_page, views

admin.site.site_header = "诊改门户管理后台"
admin.site.site_title = "诊改门户"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("indicators.urls")),
    # A school's page composes every app (its story includes notices): see school_page.py.
    path("schools/<int:pk>/", school_page.school_detail, name="school_detail"),
    path("", include("schools.urls")),
    path("", include("review.urls")),
    path("", include("notices.urls")),
    path("", include("statedata.urls")),
    path("", include("workbench.urls")),
]
# The public column in Chinese at /column/… and with English labels at /en/column/….
urlpatterns += i18n_patterns(path("", include("disclosure.urls")), prefix_default_language=False)
