from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "诊改指标体系"

    def ready(self):
        # The indicator pages (/indicators/, /indicators.json) are kept rendered: a new
        # version, or any change to a tree, moves the public page stamp on at commit.
        from django.db.models.signals import post_delete, post_save

        from indicators.models import Element, Factor, IndicatorSystem, Point, Project
        from zhengai import pagecache

        for model in (IndicatorSystem, Project, Element, Point, Factor):
            uid = f"pages-{model.__name__}"
            post_save.connect(pagecache.changed, sender=model, dispatch_uid=uid)
            post_delete.connect(pagecache.changed, sender=model, dispatch_uid=f"{uid}-del")
