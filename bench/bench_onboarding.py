"""Importing 1,500 people (school contacts and experts) from one file: must stay ≤ 5 s.

Run: DATABASE_URL=... .venv/bin/python bench/bench_onboarding.py  (uses a throwaway test DB)
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengai.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # e-mail to memory
from django.db import connection  # noqa: E402

old_name = connection.creation.create_test_db(verbosity=0, keepdb=True)
try:
    call_command("load_fixtures", verbosity=0)
    from accounts.services import onboarding  # noqa: E402
    from schools.models import School, User  # noqa: E402
    from schools.roles import Role  # noqa: E402
    from schools.services.people import upsert_person  # noqa: E402
    from tests.accounts.onboarding_files import experts, workbook_bytes  # noqa: E402

    User.objects.filter(email__endswith="@bench.invalid").delete()
    staff = upsert_person(
        username="bench-staff", display_name="基准", role=Role.PROVINCIAL_STAFF, password="x" * 20
    )
    schools = list(School.objects.values_list("name", flat=True))
    contacts = [
        (
            schools[i % len(schools)],
            f"联系人{i:04d}",
            f"c{i:04d}@bench.invalid",
            "是" if i % 9 == 0 else "否",
        )
        for i in range(900)
    ]
    pool = [(n, e, k, m.replace("test.invalid", "bench.invalid")) for n, e, k, m in experts(600)]
    data = workbook_bytes(contacts, pool)
    started = time.perf_counter()
    staged, plan = onboarding.stage(data=data, filename="bench.xlsx", user=staff)
    assert staged is not None, plan.errors[:5]
    counts = onboarding.apply(staged, by=staff)
    elapsed = time.perf_counter() - started
    print(  # invitation e-mails (to memory) included
        f"onboarding import of {sum(counts.values())} people "
        f"(parse+preview+apply): {elapsed:.2f} s (limit 5 s)"
    )
    User.objects.filter(email__endswith="@bench.invalid").delete()
    sys.exit(0 if elapsed <= 5 else 1)
finally:
    connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
