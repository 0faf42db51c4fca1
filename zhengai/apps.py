from django.apps import AppConfig


class ZhengaiConfig(AppConfig):
    name = "zhengai"
    verbose_name = "诊改门户"
