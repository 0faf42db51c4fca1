"""What the public column shows, watched: a saved or deleted row moves the page stamp on.

The column, the verdict pages, the feed and the documents read these rows; a change to any of
them (a publication, a withdrawal, a correction, a document edited or taken down, a school
renamed, re-check dates moved, a panel changed) makes every stored public page a miss once the
transaction commits. Rows changed with ``QuerySet.update`` send no signal: where a service
does that (``publish_materials``, a correction's plan), it saves a watched row in the same
transaction, which moves the stamp on.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from zhengai import pagecache


def connect() -> None:
    from disclosure.models import ColumnDocument
    from review.models import (
        Appeal,
        Consolidation,
        Cycle,
        Material,
        PanelAssignment,
        Reapplication,
        Recheck,
        RecheckDateChange,
        Rectification,
        RectificationItem,
        VerdictRecord,
    )
    from schools.models import Expert, School

    watched = (
        ColumnDocument,
        Cycle,
        Recheck,
        RecheckDateChange,
        PanelAssignment,
        Material,
        Consolidation,
        VerdictRecord,
        Rectification,
        RectificationItem,
        Reapplication,
        Appeal,  # the column shows that a verdict was appealed and how the appeal ended
        School,
        Expert,
    )
    for model in watched:
        post_save.connect(pagecache.changed, sender=model, dispatch_uid=f"pages-{model.__name__}")
        post_delete.connect(
            pagecache.changed, sender=model, dispatch_uid=f"pages-del-{model.__name__}"
        )
