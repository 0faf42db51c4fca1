from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "诊改专栏（信息公开）"

    def ready(self):
        from disclosure import signals

        signals.connect()
