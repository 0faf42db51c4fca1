"""Medians for the public indicator pages: the tree page and /indicators.json."""

from harness import measure, test_database

with test_database():
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("load_fixtures", verbosity=0)
    client = Client()
    for url in ("/indicators/", "/indicators.json"):
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        measure(f"GET {url} ({len(queries)} queries)", lambda url=url: client.get(url))
