"""Load the schools fixture: create missing schools, never overwrite staff's edits."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from schools.models import School


@transaction.atomic
def load_schools_file(path: Path) -> int:
    """Create the schools named in the fixture that are not there yet; return how many."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    created = 0
    for row in data["schools"]:
        _, was_created = School.objects.get_or_create(
            name=row["name"],
            defaults={
                "city": row["city"],
                "annex2_year": row["annex2_year"],
                "second_round_status": row["second_round_status"],
            },
        )
        created += was_created
    return created
