from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "诊改与复核"

    def ready(self) -> None:
        from review import signals

        signals.connect()
