from django.apps import AppConfig


class StatedataConfig(AppConfig):
    name = "statedata"
    verbose_name = "状态数据与预警"

    def ready(self) -> None:
        from statedata import signals

        signals.connect()
