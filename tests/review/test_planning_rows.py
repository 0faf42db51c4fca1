"""The planning pages' rows and the editor's fields, built in Python for speed (issue 16, 14):
they show what the templates showed, every value escaped, every link right."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from review.models import Recheck, ReportStatus, SelfDiagnosis
from review.services.verdict import Verdict
from review.templatetags.report_editor import element_fields
from schools.models import School

pytestmark = pytest.mark.django_db

ODD = '<b>"学院"</b> & 分校'
ODD_SHOWN = "&lt;b&gt;&quot;学院&quot;&lt;/b&gt; &amp; 分校"


def _row_of(html: str, text: str) -> str:
    """The table row (in the body of the page's table) that names ``text``."""
    start = html.rindex("<tr", 0, html.index(text, html.index("<tbody>")))
    return html[start : html.index("</tr>", start)]


def test_overview_row_shows_each_cell_with_its_links_and_escapes_the_name(
    client, province, cycle_2026, recheck_a, school_a, panel_of_three
):
    from tests.conftest import score_and_publish

    School.objects.filter(pk=school_a.pk).update(name=ODD, is_new=True)
    recheck_a.materials_published_at = timezone.now() - timedelta(days=1)
    recheck_a.materials_submitted_at = timezone.now()
    recheck_a.save()
    SelfDiagnosis.objects.filter(school=school_a).delete()
    school_a.refresh_from_db()
    SelfDiagnosis.objects.create(
        school=school_a, year=2026, system=recheck_a.system, status=ReportStatus.DRAFT
    )
    record = score_and_publish(recheck_a, panel_of_three, province, matched=15, rating="strong")
    client.force_login(province)
    html = client.get(f"/cycles/{cycle_2026.pk}/").content.decode()
    assert ODD not in html
    row = _row_of(html, ODD_SHOWN)
    school_url = reverse("school_detail", kwargs={"pk": school_a.pk})
    recheck_url = reverse("review:recheck", kwargs={"pk": recheck_a.pk})
    assert f'<a href="{school_url}" class="school-link">{ODD_SHOWN}</a>' in row
    assert '<span class="tag warn">新建</span>' in row
    assert '<td data-label="自我诊断">草稿</td>' in row
    assert f'<td data-label="复核"><a href="{recheck_url}">2026 年</a></td>' in row
    assert '<td data-label="复核日期">2026-05-20 至 05-22</td>' in row
    published = timezone.localdate(recheck_a.materials_published_at).isoformat()
    assert f'<td data-label="材料公示">{published}' in row
    # Published long after the publish-by day before a 20 May re-check: marked late.
    assert '<td data-label="材料报送">' in row and "逾期" in row
    assert f'<td data-label="复核结论">{Verdict(record.verdict).label}</td>' in row


def test_overview_row_of_a_school_not_picked_shows_dashes(client, province, cycle_2026, school_b):
    client.force_login(province)
    html = client.get(f"/cycles/{cycle_2026.pk}/?q={school_b.name}").content.decode()
    row = _row_of(html, school_b.name)
    assert '<td data-label="复核">—</td><td data-label="复核日期">—</td>' in row
    assert '<td data-label="复核结论">—</td>' in row


def test_recheck_list_row_links_the_recheck_and_the_story_and_names_the_panel(
    client, province, cycle_2026, recheck_a, school_a, panel_of_three
):
    School.objects.filter(pk=school_a.pk).update(name=ODD)
    unscheduled = Recheck.objects.create(
        cycle=cycle_2026, school=School.objects.exclude(pk=school_a.pk).first(), planned_year=2027
    )
    client.force_login(province)
    html = client.get(f"/cycles/{cycle_2026.pk}/rechecks/").content.decode()
    assert ODD not in html
    row = _row_of(html, ODD_SHOWN)
    recheck_url = reverse("review:recheck", kwargs={"pk": recheck_a.pk})
    school_url = reverse("school_detail", kwargs={"pk": school_a.pk})
    assert f'<a href="{recheck_url}">{ODD_SHOWN}</a>' in row
    story = f'<a href="{school_url}" class="small story-link" aria-label="{ODD_SHOWN}的诊改历程">'
    assert story in row
    assert "2026-05-20 至 2026-05-22" in row
    assert "合议专家0（组长）、合议专家1、合议专家2" in row
    other = _row_of(html, unscheduled.school.name)
    assert "2027 年 · 待排期" in other and '<span class="tag warn">未组建</span>' in other


def test_recheck_list_offers_publication_only_to_staff_in_that_filter(
    client, province, committee, cycle_2026, recheck_a, panel_of_three
):
    from review.models import Consolidation

    Consolidation.objects.create(recheck=recheck_a, submitted_at=timezone.now())
    url = f"/cycles/{cycle_2026.pk}/rechecks/?need=publication"
    client.force_login(province)
    html = client.get(url).content.decode()
    assert f'href="{reverse("review:recheck", kwargs={"pk": recheck_a.pk})}#verdict"' in html
    client.force_login(committee)
    assert "审核并发布结论" not in client.get(url).content.decode()


def test_recheck_list_empty_says_so(client, province, cycle_2026):
    client.force_login(province)
    html = client.get(f"/cycles/{cycle_2026.pk}/rechecks/").content.decode()
    assert "本周期还没有列入复核的学校。" in html
    html = client.get(f"/cycles/{cycle_2026.pk}/rechecks/?need=dates").content.decode()
    assert "没有符合条件的复核。" in html


def test_editor_fields_escape_the_text_and_show_the_error_beside_its_field():
    html = element_fields(
        [
            {
                "name": "opinion", "label": "自我诊断意见", "limit": 500, "id": "e1.1-opinion",
                "value": "</textarea><script>alert(1)</script>", "error": "超过 500 字",
            },
            {
                "name": "measures", "label": "改进措施", "limit": 500, "id": "e1.1-measures",
                "value": "措施", "error": None,
            },
        ]
    )  # fmt: skip
    assert "<script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;" in html
    assert (
        '<textarea id="e1.1-opinion" name="e1.1-opinion" rows="8" data-limit="500" '
        'aria-invalid="true" aria-describedby="err-e1.1-opinion">' in html
    )
    assert '<p class="error" id="err-e1.1-opinion" role="alert">超过 500 字</p>' in html
    assert (
        '<textarea id="e1.1-measures" name="e1.1-measures" rows="4" data-limit="500">措施' in html
    )
    assert '<label for="e1.1-measures">改进措施 <small class="muted">（500 字以内）' in html


def test_addresses_built_once_a_page_are_those_reverse_gives():
    from review.templatetags.planning_tables import address_of

    for name in ("review:recheck", "school_detail"):
        for pk in (1, 42, 123456):
            assert address_of(name)(pk) == reverse(name, kwargs={"pk": pk})
