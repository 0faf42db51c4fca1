"""Importing 1,500 people (school contacts and experts) from one file: must stay ≤ 5 s.

Run: DATABASE_URL=... .venv/bin/python bench/bench_onboarding.py [--profile]
(uses a throwaway test DB; --profile prints cProfile's top of the import)
"""

import cProfile
import os
import pstats
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
    profile = cProfile.Profile() if "--profile" in sys.argv else None
    started, cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    staged, plan = onboarding.stage(data=data, filename="bench.xlsx", user=staff)
    assert staged is not None, plan.errors[:5]
    counts = onboarding.apply(staged, by=staff)  # commits, then queues the e-mail batches
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profile:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    print(
        f"onboarding import of {sum(counts.values())} people "
        f"(parse+preview+apply, e-mails queued): {elapsed:.2f} s (limit 5 s; "
        f"this process's CPU {cpu:.2f} s, the rest is PostgreSQL, Redis and waiting for a core)"
    )
    # The worker's share, measured apart: what was queued is dropped from the broker and the
    # same batches run here, in process, against the in-memory mail backend.
    from django.core import mail  # noqa: E402

    from accounts.models import Invitation  # noqa: E402
    from accounts.services.invitations import BATCH  # noqa: E402
    from accounts.tasks import send_invitation_emails  # noqa: E402
    from zhengai.celery import app  # noqa: E402

    app.control.purge()
    ids = sorted(
        Invitation.objects.filter(user__email__endswith="@bench.invalid").values_list(
            "pk", flat=True
        )
    )
    mail.outbox = []
    sending = time.perf_counter()
    for start in range(0, len(ids), BATCH):
        send_invitation_emails.apply(args=[ids[start : start + BATCH]])
    print(
        f"worker: {len(mail.outbox)} invitation e-mails in {len(ids) // BATCH + 1} batches: "
        f"{time.perf_counter() - sending:.2f} s (after the import, not part of it)"
    )
    User.objects.filter(email__endswith="@bench.invalid").delete()
    sys.exit(0 if elapsed <= 5 else 1)
finally:
    connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
