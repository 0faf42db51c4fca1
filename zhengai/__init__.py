"""The 诊改 portal's Django project."""

from zhengai.celery import app as celery_app

__all__ = ("celery_app",)
