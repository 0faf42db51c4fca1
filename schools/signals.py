"""Forget who a person is (``schools.permissions``: role and school, kept in the shared
cache) when what it is read from changes: their role groups, their school permission, their
account, their school. Forgotten at once and again when the transaction commits, so a request
that read the old rows meanwhile cannot keep them. A saved or deleted account also moves the
``people`` stamp: stored pages that name people (the report editor's "last saved by") are
made again."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from schools.permissions import forget_who
from zhengai import stampcache

# The stamp of stored pages that show people's names (``zhengai.stampcache``).
PEOPLE = "people"


def _forget(user_ids) -> None:
    ids = [pk for pk in user_ids if pk is not None]
    if not ids:
        return
    forget_who(ids)
    transaction.on_commit(lambda: forget_who(ids))


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_") and action != "pre_clear":
        return
    if not reverse:
        _forget([instance.pk])  # user.groups.add(…)
    elif action == "pre_clear":
        _forget(list(instance.user_set.values_list("pk", flat=True)))  # group.user_set.clear()
    else:
        _forget(pk_set or ())  # group.user_set.add(…)


def _user_changed(sender, instance, update_fields=None, using=None, **kwargs) -> None:
    _forget([instance.pk])
    if update_fields is None or set(update_fields) - {"last_login"}:
        # A name may have changed: pages stored with people's names in them are out of date.
        stampcache.changed(PEOPLE, using=using)


def _permission_changed(sender, instance, **kwargs) -> None:
    _forget([instance.user_id])


def _school_changed(sender, instance, **kwargs) -> None:
    from schools.models import SchoolUserObjectPermission

    _forget(
        SchoolUserObjectPermission.objects.filter(content_object=instance).values_list(
            "user_id", flat=True
        )
    )


def connect() -> None:
    from schools.models import School, SchoolUserObjectPermission, User

    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="who-groups")
    post_save.connect(_user_changed, sender=User, dispatch_uid="who-user")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="who-user-del")
    for signal, uid in ((post_save, "who-perm"), (post_delete, "who-perm-del")):
        signal.connect(_permission_changed, sender=SchoolUserObjectPermission, dispatch_uid=uid)
    post_save.connect(_school_changed, sender=School, dispatch_uid="who-school")
    pre_delete.connect(_school_changed, sender=School, dispatch_uid="who-school-del")
