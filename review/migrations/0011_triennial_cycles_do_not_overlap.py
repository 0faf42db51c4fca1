"""Two three-year cycles never share a year: a PostgreSQL exclusion constraint.

create_cycle checks for overlap first, but two requests at once can both pass that check;
the database then lets only one in. 附件2's 2017–2020 plan is exempt (it shares 2020 with
the first three-year cycle). On SQLite, which has no exclusion constraints and runs one
write at a time, the service's check stands alone.
"""

from django.db import migrations

NAME = "triennial_cycles_do_not_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE review_cycle ADD CONSTRAINT {NAME} EXCLUDE USING gist "
        "(int4range(start_year, end_year, '[]') WITH &&) WHERE (kind = 'triennial')"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE review_cycle DROP CONSTRAINT IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("review", "0010_verdict_pdf_stored")]

    operations = [migrations.RunPython(add, remove)]
