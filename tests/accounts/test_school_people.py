"""A school's own people: its contact invites and deactivates colleagues of that school only;
provincial staff for any school. The invitations page lists pending/used/expired links."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import invitations
from schools.models import User
from schools.permissions import role_of, school_of
from schools.roles import Role
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contact_a(alice):
    alice.is_school_contact = True
    alice.save(update_fields=["is_school_contact"])
    return alice


def test_school_contact_invites_a_colleague_of_their_own_school(client, contact_a, school_a):
    client.force_login(contact_a)
    response = client.post(
        "/accounts/people/", {"name": "新同事", "email": "New.Colleague@test.invalid"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.colleague@test.invalid")
    assert role_of(user) == Role.SCHOOL_STAFF and school_of(user) == school_a
    assert not user.has_usable_password() and not user.is_school_contact
    assert Invitation.objects.get(user=user).invited_by == contact_a
    assert [m.to for m in mail.outbox] == [["new.colleague@test.invalid"]]
    assert "新同事" in client.get("/accounts/people/").content.decode()


def test_r22_a_phone_number_or_a_taken_email_is_refused_next_to_the_field(client, contact_a, bob):
    client.force_login(contact_a)
    page = client.post("/accounts/people/", {"name": "某人", "email": bob.email}).content.decode()
    assert "已经有账号" in page
    page = client.post(
        "/accounts/people/", {"name": "某人 000-0000-0000", "email": "x@test.invalid"}
    ).content.decode()
    assert "电话号码" in page and not User.objects.filter(email="x@test.invalid").exists()


def test_contact_of_school_a_cannot_touch_school_b_people(client, contact_a, bob, school_b):
    client.force_login(contact_a)
    assert client.get(f"/accounts/people/?school={school_b.pk}").status_code == 404
    assert client.post(f"/accounts/people/{bob.pk}/deactivate/").status_code == 404
    bob.refresh_from_db()
    assert bob.is_active
    invitation = invitations.invite(user=bob)
    assert client.post(f"/accounts/invitations/{invitation.pk}/resend/").status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob", "expert", "committee"])
def test_people_and_invitation_pages_are_404_for_plain_staff_experts_and_committee(
    client, everyone, who
):
    client.force_login(everyone[who])  # alice and bob are plain school staff here
    assert client.get("/accounts/people/").status_code == 404
    assert client.get("/accounts/invitations/").status_code == 404
    assert (
        client.post("/accounts/people/", {"name": "甲", "email": "j@test.invalid"}).status_code
        == 404
    )
    assert not User.objects.filter(email="j@test.invalid").exists()


def test_deactivation_ends_access_at_once_and_keeps_the_person(contact_a, carol, school_a):
    from review.services.self_diagnosis import open_self_diagnosis

    report = open_self_diagnosis(school=school_a, year=2026, user=carol)
    theirs = Client()
    assert sign_in(theirs, "carol")
    assert theirs.get("/").status_code == 200 and "carol" in theirs.get("/").content.decode()

    manager = Client()
    assert sign_in(manager, "alice")
    assert manager.post(f"/accounts/people/{carol.pk}/deactivate/").status_code == 302

    carol.refresh_from_db()
    assert not carol.is_active
    assert theirs.get("/accounts/password/").status_code == 302  # signed out: to the login page
    assert not sign_in(Client(), "carol")
    report.refresh_from_db()
    assert report.pk and User.objects.filter(pk=carol.pk).exists()  # nothing they wrote is lost
    from review.models import ElementEntry

    assert ElementEntry.history.filter(history_user=carol, self_diagnosis_id=report.pk).exists()


def test_staff_manage_any_school_and_see_every_invitation(client, province, school_b, contact_a):
    client.force_login(province)
    client.post(
        f"/accounts/people/?school={school_b.pk}", {"name": "乙校新人", "email": "b2@test.invalid"}
    )
    assert school_of(User.objects.get(email="b2@test.invalid")) == school_b
    invitations.invite(user=contact_a)
    page = client.get("/accounts/invitations/").content.decode()
    assert "b2@test.invalid" in page and contact_a.email in page


def test_invitations_page_shows_state_and_a_resend_renews_the_link(client, contact_a, carol, bob):
    fresh = invitations.invite(user=carol, by=contact_a)
    other_school = invitations.invite(user=bob)
    old = invitations.make_token(fresh)
    Invitation.objects.filter(pk=fresh.pk).update(
        sent_at=timezone.now() - timezone.timedelta(days=8)
    )
    client.force_login(contact_a)
    page = client.get("/accounts/invitations/?state=expired").content.decode()
    assert carol.email in page and "已过期" in page and bob.email not in page
    assert (
        client.get("/accounts/invitations/?state=pending").content.decode().count('data-email="')
        == 0
    )
    client.post(f"/accounts/invitations/{fresh.pk}/resend/")
    fresh.refresh_from_db()
    assert fresh.times_sent == 2 and fresh.sent_at > timezone.now() - timezone.timedelta(minutes=1)
    assert invitations.check_token(old).invitation is None
    assert mail.outbox[-1].to == [carol.email]
    assert other_school.pk != fresh.pk
