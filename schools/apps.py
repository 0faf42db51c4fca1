from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "学校、人员与专家库"

    def ready(self) -> None:
        from schools import signals

        signals.connect()
