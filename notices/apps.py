from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "期限提醒与通知"

    def ready(self) -> None:
        # Subscribe: to the workflow's events, and (tasks) to notices written, for e-mail.
        from notices import receivers, signals, tasks  # noqa: F401

        signals.connect()
