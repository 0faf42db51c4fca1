from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "诊改指标体系"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from indicators.models import Element, Factor, IndicatorSystem, Point, Project
        from indicators.selectors import forget_editing_guides

        def forget(**kwargs) -> None:
            forget_editing_guides()

        # The report editor caches each version's tree (indicators.selectors.editing_guide).
        for model in (IndicatorSystem, Project, Element, Point, Factor):
            post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"guide-{model}")
            post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"guide-d-{model}")
