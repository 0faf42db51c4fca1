from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "诊改指标体系"

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from indicators.models import Element, Factor, IndicatorSystem, Point, Project
        from indicators.selectors import GUIDE_STAMP, forget_editing_guides
        from zhengai import pagecache, stampcache

        def forget(using=None, **kwargs) -> None:
            # Now and again at commit: a request that read the old tree meanwhile may have
            # stored it again.
            forget_editing_guides()
            transaction.on_commit(forget_editing_guides, using=using)
            stampcache.changed(GUIDE_STAMP, using=using)

        # The report editor caches each version's tree (indicators.selectors.editing_guide)
        # and keeps its pages under GUIDE_STAMP; the indicator pages (/indicators/,
        # /indicators.json) are kept rendered: a new version, or any change to a tree, moves
        # the public page stamp and GUIDE_STAMP on at commit.
        for model in (IndicatorSystem, Project, Element, Point, Factor):
            post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"guide-{model}")
            post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"guide-d-{model}")
            uid = f"pages-{model.__name__}"
            post_save.connect(pagecache.changed, sender=model, dispatch_uid=uid)
            post_delete.connect(pagecache.changed, sender=model, dispatch_uid=f"{uid}-del")
