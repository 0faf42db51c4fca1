"""Tampered or odd input is refused with a 4xx page, never a 500; races end in one row."""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from review.models import Cycle, CycleKind, SelfDiagnosis
from review.services import rechecks as recheck_service
from review.services import scoring
from review.services import self_diagnosis as service
from review.services.scoring import FindingInput
from tests.conftest import ELEMENT_CODES, VerifiedClient, panel_members, score_and_publish

# Values a tampered or careless form sends: beyond bigint, out of range, far future, NUL.
ODD_VALUES = (
    "99999999999999999999999",
    "-1",
    "2100",
    "9999-12-31",
    "正常文字\x00带空字符",
)


class _Forms(HTMLParser):
    """Every POST form on a page: its action and the fields it sends, with their values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = {}
            self.forms.append((a.get("action") or "", self._current))
        elif self._current is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self._current.setdefault(a["name"], a.get("value") or "on")
                return
            self._current[a["name"]] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._current[a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._current[a["name"]] = ""
        elif (
            tag == "option"
            and self._select
            and a.get("value")
            and (not self._current[self._select] or "selected" in a)
        ):
            self._current[self._select] = a["value"]

    def handle_data(self, data):
        if self._current is not None and self._textarea:
            self._current[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _sweep(user, pages: list[str]) -> tuple[int, list[str]]:
    """Post every form on ``pages`` once per field per odd value; the requests that gave 5xx."""
    client = VerifiedClient(raise_request_exception=False)
    client.force_login(user)
    forms: dict[str, dict[str, str]] = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        parser = _Forms()
        parser.feed(response.content.decode())
        for action, fields in parser.forms:
            target = action or url
            if target.startswith("/") and "logout" not in target and "i18n" not in target:
                forms.setdefault(target, fields)
    failures, sent = [], 0
    for action, fields in forms.items():
        for name in fields:
            if name == "csrfmiddlewaretoken":
                continue
            for value in ODD_VALUES:
                sent += 1
                response = client.post(action, fields | {name: value})
                if response.status_code >= 500:
                    failures.append(f"{action} {name}={value!r} → {response.status_code}")
    return sent, failures


@pytest.mark.django_db
def test_every_form_before_the_verdict_refuses_odd_values_without_5xx(
    alice, province, report_a, recheck_a, panel_of_three
):
    service.save_panel(self_diagnosis=report_a, user=alice, members=panel_members())
    lead, scoring_expert, _ = panel_of_three
    findings = {code: FindingInput(True, "") for code in ELEMENT_CODES}
    for user in (lead, panel_of_three[2]):
        scoring.save_findings(
            assignment=recheck_a.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating="strong",
            measures_reason="理由",
            submit=True,
        )
    r, c = report_a.pk, recheck_a.cycle_id
    checked = 0
    # The experts first: staff's forms (removing panel members) change who may score.
    for user, pages in (
        (scoring_expert, [f"/rechecks/{recheck_a.pk}/score/"]),
        (lead, [f"/rechecks/{recheck_a.pk}/consolidate/"]),
        (alice, ["/self-diagnosis/", f"/self-diagnosis/{r}/", f"/self-diagnosis/{r}/panel/"]),
        (alice, [f"/rechecks/{recheck_a.pk}/"]),
        (province, ["/cycles/", f"/cycles/{c}/", f"/cycles/{c}/selection/"]),
        (province, [f"/rechecks/{recheck_a.pk}/", "/notices/log/", "/column/manage/"]),
    ):
        sent, failures = _sweep(user, pages)
        assert failures == [], failures
        checked += sent
    assert checked > 200  # the sweep really posted the forms


@pytest.mark.django_db
def test_the_declaration_form_refuses_odd_values_without_5xx(expert, recheck_a, assigned_expert):
    sent, failures = _sweep(expert, [f"/rechecks/{recheck_a.pk}/"])
    assert failures == [], failures
    assert sent >= len(ODD_VALUES)


@pytest.mark.django_db
def test_every_form_after_the_verdict_refuses_odd_values_without_5xx(
    alice, province, recheck_a, panel_of_three
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=9, rating="weak")
    checked = 0
    for user, pages in (
        (alice, [f"/verdicts/{record.pk}/", f"/verdicts/{record.pk}/rectification/"]),
        (alice, ["/notices/"]),
        (province, [f"/verdicts/{record.pk}/", "/verdicts/", "/sanctions/"]),
        (province, [f"/cycles/{recheck_a.cycle_id}/", "/self-diagnosis/"]),
    ):
        sent, failures = _sweep(user, pages)
        assert failures == [], failures
        checked += sent
    assert checked > 50


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["2100", "99999999999", "-5", "2026.5"])
def test_a_report_for_an_odd_year_is_refused(client, alice, year):
    client.force_login(alice)
    response = client.post("/self-diagnosis/open/", {"year": year}, follow=True)
    assert response.status_code == 200
    assert "请填写正确的年度" in response.content.decode()
    assert not SelfDiagnosis.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["2100", "99999999999"])
def test_a_cycle_for_an_odd_year_is_refused(client, province, year):
    client.force_login(province)
    response = client.post("/cycles/", {"start_year": year})
    assert response.status_code == 400
    assert not Cycle.objects.filter(kind=CycleKind.TRIENNIAL).exists()


@pytest.mark.django_db
def test_a_signature_dated_9999_is_refused(client, alice, report_a):
    client.force_login(alice)
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/submit/",
        {"principal_name": "王校长", "signed_on": "9999-12-31"},
    )
    assert response.status_code == 400
    assert "签字日期不能晚于今天" in response.content.decode()


@pytest.mark.django_db
def test_nul_characters_anywhere_in_a_request_get_400_and_save_nothing(client, alice, report_a):
    client.force_login(alice)
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/save/",
        {"overview": "概述\x00", "overview-rev": "0", "e1.1-opinion": "a\x00b", "e1.1-rev": "0"},
    )
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    report_a.refresh_from_db()
    assert report_a.overview == ""
    # A search filter too (PostgreSQL would refuse the NUL in the query).
    assert client.get("/column/schools/", {"q": "学院\x00"}).status_code == 400


@pytest.mark.django_db
def test_the_draft_service_refuses_nul_characters_by_field(alice, report_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        service.save_draft(
            self_diagnosis=report_a,
            user=alice,
            entries={"1.1": service.TextEdit(values={"opinion": "a\x00b"}, revision=0)},
        )
    assert "不能包含空字符" in caught.value.message_dict["e1.1-opinion"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30", "明天"])
def test_scan_deadlines_refuses_an_odd_date_with_a_command_error(value):
    with pytest.raises(CommandError, match="日期"):
        call_command("scan_deadlines", "--date", value)


# --- Races end in one row (real threads, real PostgreSQL) ------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="locks and constraints under test are PostgreSQL's"
)


def _in_threads(target, count: int) -> list:
    """Run ``target`` in ``count`` threads released at once; their results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # reported to the test, which asserts there were none
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_opening_the_same_report_four_times_at_once_gives_one_report(alice, school_a):
    results = _in_threads(
        lambda _: service.open_self_diagnosis(school=school_a, year=2026, user=alice).pk, 4
    )
    assert all(isinstance(pk, int) for pk in results), results
    assert len(set(results)) == 1
    assert SelfDiagnosis.objects.get().entries.count() == 15


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_creating_the_same_cycle_twice_at_once_gives_one_cycle(province):
    results = _in_threads(lambda _: recheck_service.create_cycle(start_year=2029, user=province), 2)
    created = [r for r in results if isinstance(r, Cycle)]
    refused = [r for r in results if not isinstance(r, Cycle)]
    assert len(created) == 1 and len(refused) == 1
    assert "已经存在" in " ".join(refused[0].messages)
    assert Cycle.objects.filter(kind=CycleKind.TRIENNIAL).count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_cycles_created_in_parallel_give_one_cycle(province):
    results = _in_threads(
        lambda i: recheck_service.create_cycle(start_year=2029 + i, user=province), 2
    )
    created = [r for r in results if isinstance(r, Cycle)]
    assert len(created) == 1, results
    assert Cycle.objects.filter(kind=CycleKind.TRIENNIAL).count() == 1


@needs_postgres
@pytest.mark.django_db
def test_the_database_itself_refuses_overlapping_triennial_cycles(province):
    from django.db import IntegrityError, transaction

    recheck_service.create_cycle(start_year=2029, user=province)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(name="重叠", kind=CycleKind.TRIENNIAL, start_year=2030, end_year=2032)
    # 附件2's 2017–2020 plan may share 2020 with the first triennial cycle.
    recheck_service.create_cycle(start_year=2020, user=province)
