"""Median of the self-diagnosis edit page for a full-length report with many saved versions."""

from harness import analyze, measure, test_database

with test_database():
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from review.exporters.samples import full_length_report
    from review.services import self_diagnosis as service
    from review.services.self_diagnosis import TextEdit
    from schools.models import School
    from schools.roles import Role
    from schools.services.people import upsert_person

    call_command("load_fixtures", verbosity=0)
    school = School.objects.get(name="厦门海洋职业技术学院")
    user = upsert_person(
        username="bench",
        display_name="基准",
        role=Role.SCHOOL_STAFF,
        password="x" * 12,
        school=school,
    )
    report = service.open_self_diagnosis(school=school, year=2026, user=user)
    sample = full_length_report()
    # Ten saved versions of every element, so history cannot hide in the count.
    for version in range(10):
        report.refresh_from_db()
        entries = {e.element.code: e for e in report.entries.select_related("element")}
        service.save_draft(
            self_diagnosis=report,
            user=user,
            overview=TextEdit({"overview": sample.overview[: 490 + version]}, report.revision),
            entries={
                row.element_code: TextEdit(
                    {
                        "opinion": row.opinion[: 490 + version],
                        "measures": row.measures,
                        "effects": row.effects,
                    },
                    entries[row.element_code].revision,
                )
                for row in sample.rows
            },
        )
    analyze()
    client = Client()
    client.force_login(user)
    url = f"/self-diagnosis/{report.pk}/"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    measure(
        f"GET edit page, full-length report, 10 versions ({len(queries)} queries)",
        lambda: client.get(url),
    )
