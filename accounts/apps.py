from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账号与登录"

    def ready(self) -> None:
        # Subscribe: each login's session is recorded (signals); invitations due are queued
        # for the e-mail task (tasks).
        from accounts import signals, tasks  # noqa: F401
