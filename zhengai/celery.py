"""The Celery application: Redis in production, kombu's filesystem transport by default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengai.settings")

app = Celery("zhengai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
