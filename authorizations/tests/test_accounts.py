"""Accounts: the first superuser of a deployment, and an anonymous password reset that cannot flood a mailbox (Actors)."""

import pytest
from django.contrib import auth
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from authorizations.models import Role, User

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_createsuperuser_makes_a_bureau_staff_account_that_enters_the_admin_after_changing_its_password(
    client, monkeypatch
):
    """Actors, G1: `manage.py createsuperuser`, the first step of every deployment, creates bureau staff, no station;
    whoever typed its password at the console hands it over, so the owner sets their own before anything else."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Zz-first-admin-2026")
    call_command("createsuperuser", username="jlc-admin", email="jlc@zzmetro.local", interactive=False, verbosity=0)
    user = User.objects.get(username="jlc-admin")
    assert (user.role, user.station, user.is_staff, user.is_superuser) == (Role.BUREAU, None, True, True)
    client.post(reverse("login"), {"username": "jlc-admin", "password": "Zz-first-admin-2026"})
    stations = reverse("admin:authorizations_station_changelist")
    assert client.get(stations)["Location"].startswith(reverse("password_change"))
    new = {
        "old_password": "Zz-first-admin-2026",
        "new_password1": "Jlc-own-pass-77",
        "new_password2": "Jlc-own-pass-77",
    }
    assert client.post(reverse("password_change"), new)["Location"] == reverse("password_change_done")
    assert client.get(stations).status_code == 200


def test_a_superuser_cannot_be_made_a_station_officer():
    """Actors: a superuser changes everything, so it is bureau staff and belongs to no station."""
    with pytest.raises(ValueError, match="超级用户必须是市局计量处工作人员"):
        User.objects.create_superuser("root", "root@zzmetro.local", "Zz-first-admin-2026", role=Role.OFFICER)


@pytest.fixture
def reset(client, django_capture_on_commit_callbacks):
    """Post the anonymous reset form from one client address and deliver what it queued; counters start empty."""
    cache.clear()

    def _reset(email: str, ip: str = "10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)

    yield _reset
    cache.clear()


def test_reset_answers_the_same_whether_or_not_the_address_has_an_account(reset):
    """Actors: the answer never tells a stranger which addresses have accounts; only the real one gets a mail."""
    UserFactory(username="officer1", email="officer1@example.cn")
    known, unknown = reset("officer1@example.cn"), reset("nobody@example.cn")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [["officer1@example.cn"]]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_reset_mails_an_address_at_most_three_times_an_hour_and_answers_the_same_when_limited(reset, freeze):
    """Actors: the fourth request for one address within the hour sends nothing and looks exactly like the others."""
    freeze("2026-12-01 09:00:00")
    UserFactory(username="officer1", email="officer1@example.cn")
    answers = [reset("officer1@example.cn", ip=f"10.0.0.{n}") for n in range(1, 5)]
    assert len(mail.outbox) == 3
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("password_reset_done"))}
    assert reset("OFFICER1@example.cn ", ip="10.0.0.9")["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 3


def test_one_client_address_may_ask_ten_times_an_hour_across_addresses(reset, freeze):
    """Actors: one client cannot walk a list of addresses; another client is not affected."""
    freeze("2026-12-01 09:00:00")
    users = [UserFactory(username=f"officer{n}", email=f"officer{n}@example.cn") for n in range(12)]
    for user in users[:11]:
        assert reset(user.email, ip="10.0.0.66")["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 10
    reset(users[11].email, ip="10.0.0.77")
    assert len(mail.outbox) == 11


def test_a_signed_in_officer_is_loaded_in_one_query_and_its_station_when_asked(
    client, officer1, django_assert_num_queries
):
    """Actors: every request reads the account in one statement (issue 13 "Load"); its station, which a kept page
    does not need, is read when a page being rendered asks for it."""
    client.force_login(officer1)
    request = client.get(reverse("register:index")).wsgi_request
    with django_assert_num_queries(1):
        user = auth.get_user(request)  # as every request does, from the session already read
        assert user == officer1 and user.role == officer1.role and user.is_active
    with django_assert_num_queries(1):
        assert user.station.name == officer1.station.name


def test_an_inactive_account_is_signed_out(client, officer1):
    """G1: an account made inactive is no longer signed in on its next page."""
    client.force_login(officer1)
    User.objects.filter(pk=officer1.pk).update(is_active=False)
    assert client.get(reverse("portal:index")).status_code == 302
