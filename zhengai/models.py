"""Shared model bases."""

from django.db import models


class TimeStampedModel(models.Model):
    """Adds created/modified stamps that the database fills."""

    created = models.DateTimeField("创建时间", auto_now_add=True)
    modified = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True
