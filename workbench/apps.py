from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "workbench"
    verbose_name = "工作台"

    def ready(self):
        from workbench import signals

        signals.connect()
