"""Bulk onboarding (all or nothing, matched by e-mail) and invitations (one-time, 7 days)."""

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, StagedImport
from accounts.services import onboarding
from schools.models import Expert, School, User
from schools.permissions import role_of, school_of
from schools.roles import Role
from tests.accounts.onboarding_files import experts, workbook_bytes

pytestmark = pytest.mark.django_db(transaction=True)

SCHOOL = "厦门海洋职业技术学院"


def _contacts():
    return [
        (SCHOOL, "联络甲", "Contact.A@test.invalid", "是"),
        (SCHOOL, "教师乙", "teacher.b@test.invalid", "否"),
    ]


def _upload(client, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/accounts/onboarding/", {"file": SimpleUploadedFile("人员.xlsx", data)}, follow=True
    )


def test_import_previews_then_creates_accounts_and_invites_and_reruns_without_duplicates(
    client, province, seeded
):
    client.force_login(province)
    data = workbook_bytes(_contacts(), experts(3))
    page = _upload(client, data).content.decode()
    assert "新建 5 人" in page
    assert User.objects.filter(email__iexact="contact.a@test.invalid").count() == 0  # preview only
    staged = StagedImport.objects.get()
    client.post(f"/accounts/onboarding/{staged.pk}/")
    contact = User.objects.get(email="contact.a@test.invalid")
    assert role_of(contact) == Role.SCHOOL_STAFF and school_of(contact).name == SCHOOL
    assert contact.is_school_contact and not contact.has_usable_password()
    assert Expert.objects.filter(user__email="expert0001@test.invalid", kind="education_research")
    assert Invitation.objects.filter(accepted_at=None).count() == 5
    assert len(mail.outbox) == 5 and all(
        "密码" not in m.body.split("链接")[0][-5:] for m in mail.outbox
    )

    again = workbook_bytes(
        [(SCHOOL, "联络甲（改名）", "CONTACT.A@TEST.INVALID", "是"), _contacts()[1]], experts(4)
    )
    page = _upload(client, again).content.decode()
    assert "新建 1 人，更新 1 人，无变化 4 人" in page
    client.post(f"/accounts/onboarding/{StagedImport.objects.latest('pk').pk}/")
    assert User.objects.filter(email__iexact="contact.a@test.invalid").count() == 1
    assert (
        Expert.objects.filter(
            user__email__endswith="@test.invalid", name__startswith="专家"
        ).count()
        == 4
    )
    assert len(mail.outbox) == 6  # only the new expert was invited


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (lambda: b"name,email\n", "CSV"),
        (lambda: workbook_bytes([(SCHOOL, "甲", "a@test.invalid", "是")] * 2), "重复"),
        (
            lambda: workbook_bytes([(SCHOOL, "甲 000-0000-0000", "a@test.invalid", "是")]),
            "电话号码",
        ),
        (lambda: workbook_bytes(experts(1), formula_at=(onboarding.CONTACTS, "B2")), "公式"),
        (lambda: workbook_bytes([("不存在的学院", "甲", "a@test.invalid", "是")]), "没有名为"),
        (lambda: workbook_bytes([], [("乙", "单位", "神仙", "b@test.invalid")]), "专家类别应为"),
    ],
)
def test_bad_files_are_refused_row_by_row_and_nothing_is_saved(client, province, data, expected):
    client.force_login(province)
    before = User.objects.count()
    page = _upload(client, data()).content.decode()
    assert "文件未导入" in page and expected in page
    assert User.objects.count() == before and not StagedImport.objects.exists()


def test_wrong_sheet_and_zip_bomb_are_refused(client, province):
    import io
    import zipfile

    from openpyxl import Workbook

    client.force_login(province)
    other = io.BytesIO()
    Workbook().save(other)
    assert "找不到工作表" in _upload(client, other.getvalue()).content.decode()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "x")
        archive.writestr("xl/workbook.xml", "x")
        archive.writestr("xl/big.xml", b"0" * (30 * 1024 * 1024))
    assert "恶意构造" in _upload(client, bomb.getvalue()).content.decode()


def test_invitation_link_sets_a_password_once_and_expires_after_seven_days(
    client, province, seeded
):
    client.force_login(province)
    _upload(client, workbook_bytes(_contacts()))
    client.post(f"/accounts/onboarding/{StagedImport.objects.get().pk}/")
    links = [re.search(r"http\S+/accounts/invitation/\S+/", m.body).group(0) for m in mail.outbox]
    path = "/" + links[0].split("/", 3)[3]
    guest = Client()
    assert "设置您的密码" in guest.get(path).content.decode()
    guest.post(path, {"password1": "自己的-新密码-2026", "password2": "自己的-新密码-2026"})
    invitation = Invitation.objects.get(user__email=mail.outbox[0].to[0].lower())
    assert invitation.accepted_at is not None
    assert guest.get(path).status_code == 410  # used once
    later = "/" + links[1].split("/", 3)[3]
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        assert "7 天" in guest.get(later).content.decode()


def test_resent_invitation_makes_the_old_link_useless(seeded, province):
    from accounts.services import invitations

    user = User.objects.create(username="new@test.invalid", email="new@test.invalid")
    first = invitations.invite(user=user, by=province)
    old = invitations.make_token(first)
    invitations.resend(first, by=province)
    assert invitations.check_token(old).invitation is None
    assert invitations.check_token(
        invitations.make_token(Invitation.objects.get(user=user))
    ).invitation


@pytest.mark.parametrize("who", ["alice", "bob", "expert", "committee"])
def test_onboarding_pages_are_404_for_everyone_but_provincial_staff(client, everyone, who):
    client.force_login(everyone[who])
    for url in ("/accounts/onboarding/", "/accounts/onboarding/template.xlsx"):
        assert client.get(url).status_code == 404


def test_provincial_staff_download_the_template(client, province):
    client.force_login(province)
    response = client.get("/accounts/onboarding/template.xlsx")
    assert response.status_code == 200
    rows, errors = onboarding.read_file(response.content)
    assert not errors and rows == {onboarding.CONTACTS: [], onboarding.EXPERTS: []}
    assert School.objects.exists()


def test_a_second_import_shows_at_once_on_the_stored_pages_and_in_who_people_are(
    client, province, seeded, settings
):
    """Onboarding writes in bulk (no model signals): a contact moved to another school acts for
    it on their next request, and a renamed expert is named so on the stored re-check list."""
    from review.models import PanelAssignment, Recheck
    from review.services.rechecks import create_cycle

    settings.REDIS_URL = settings.REDIS_URL or "redis://shared.invalid:6379/0"  # as production
    other = "福建船政交通职业学院"
    client.force_login(province)
    _upload(client, workbook_bytes(_contacts()[:1], experts(1)))
    client.post(f"/accounts/onboarding/{StagedImport.objects.latest('pk').pk}/")
    contact = User.objects.get(email="contact.a@test.invalid")
    cycle = create_cycle(start_year=2026, user=province)
    recheck = Recheck.objects.create(
        cycle=cycle, school=School.objects.get(name=other), planned_year=2026
    )
    PanelAssignment.objects.create(recheck=recheck, expert=Expert.objects.get(name="专家0000"))
    assert "专家0000" in client.get(f"/cycles/{cycle.pk}/rechecks/").content.decode()
    theirs = Client()
    theirs.force_login(contact)
    assert SCHOOL in theirs.get("/notices/").content.decode()  # who they are, kept

    renamed = [("专家〇〇（改名）", *experts(1)[0][1:])]
    _upload(client, workbook_bytes([(other, "联络甲", "contact.a@test.invalid", "是")], renamed))
    client.post(f"/accounts/onboarding/{StagedImport.objects.latest('pk').pk}/")
    header = theirs.get("/notices/").content.decode().split("</header>")[0]
    assert other in header and SCHOOL not in header
    listed = client.get(f"/cycles/{cycle.pk}/rechecks/").content.decode()
    assert "专家〇〇（改名）" in listed and "专家0000" not in listed
