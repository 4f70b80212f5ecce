"""Identity (DOMAIN G1, G3): password rules, first-login change, lockout, idle sessions and the second factor."""

import pytest
from axes.signals import user_locked_out
from django.contrib.auth import password_validation
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from authorizations.models import LoginLockout, Role, User

from .factories import PASSWORD, StationFactory

pytestmark = pytest.mark.django_db


def log_in(client, username, password=PASSWORD, ip="10.1.1.1", url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    device.refresh_from_db()
    return (
        f"{totp(device.bin_key, device.step, device.t0 - steps_ahead * device.step, device.digits, device.drift):06d}"
    )


def verified_client(user) -> Client:
    """A separate browser session of `user`, signed in with password and a real TOTP code."""
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    other = Client()
    log_in(other, user.username, ip="10.2.2.2")
    assert other.post(reverse("otp_verify"), {"token": code(device)})["Location"] == reverse("home")
    return other


def problems(password, user=None):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


# Passwords (G1)


def test_a_password_needs_eight_characters_from_three_of_four_classes():
    """G1: at least 8 characters, and at least three of lower case, upper case, digits and other symbols."""
    assert "password_too_short" in problems("Ab1-xyz")
    assert problems("lowercase-only") == ["password_too_few_classes"]
    assert problems("Zhengzhou2026") == []
    assert problems("zhengzhou-2026") == []


def test_a_password_like_the_username_is_refused(officer1):
    """G1: not similar to the username."""
    officer1.username = "wangxiaoming"
    assert "password_too_similar" in problems("Wangxiaoming1", officer1)


def test_none_of_the_last_five_passwords_may_be_chosen_again(officer1):
    """G1: the current password and the four before it are refused; the sixth-newest is allowed again."""
    used = [f"Zz-pass-{n}-metro" for n in range(6)]
    for password in used:
        officer1.set_password(password)
        officer1.save()
    for password in used[1:]:
        assert problems(password, officer1) == ["password_reused"], password
    assert problems(used[0], officer1) == []


def test_the_password_change_page_refuses_a_recent_password_in_chinese(client, officer1):
    """G1: the owner sees why, in Chinese, on the page itself."""
    client.force_login(officer1)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "最近5次使用过的密码" in response.content.decode()


# First login (G1)


def test_an_account_staff_create_must_change_its_password_at_first_login(admin_client_bureau, client):
    """G1: staff chose the first password, so the officer replaces it before reaching any page."""
    station = StationFactory()
    response = admin_client_bureau.post(
        reverse("admin:authorizations_user_add"),
        {
            "username": "zhaoliu",
            "password1": "Staff-set-2026",
            "password2": "Staff-set-2026",
            "role": Role.OFFICER,
            "station": station.pk,
            "last_name": "赵",
            "first_name": "六",
            "email": "zhaoliu@example.cn",
            "_save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="zhaoliu").must_change_password

    log_in(client, "zhaoliu", "Staff-set-2026")
    response = client.get(reverse("portal:index"))
    assert response["Location"].startswith(reverse("password_change"))
    change = {"old_password": "Staff-set-2026", "new_password1": "Zhao-own-pw-9", "new_password2": "Zhao-own-pw-9"}
    assert client.post(reverse("password_change"), change)["Location"] == reverse("password_change_done")
    assert client.get(reverse("portal:index")).status_code == 200
    assert not User.objects.get(username="zhaoliu").must_change_password


def test_a_password_staff_reset_in_the_admin_must_be_changed_again(admin_client_bureau, officer1):
    """G1: a password someone else set is known to two people."""
    url = reverse("admin:auth_user_password_change", args=[officer1.pk])
    admin_client_bureau.post(
        url, {"password1": "Reset-by-jlc-1", "password2": "Reset-by-jlc-1", "usable_password": "true"}
    )
    officer1.refresh_from_db()
    assert officer1.check_password("Reset-by-jlc-1") and officer1.must_change_password


def test_demo_accounts_skip_the_first_login_change_only_in_demo_mode(settings):
    """G1: the demo's published password is exempt in the demo (DEBUG) and nowhere else."""
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("seed_demo", verbosity=0)
    assert User.objects.get(username="bureau").must_change_password
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(
        username__in=["bureau", "manager", "officer1", "officer2"], must_change_password=True
    ).exists()


# Lockout (G1)


@pytest.fixture
def signals():
    """Collect the auth and axes signals the security audit log hooks: failures and lockouts."""
    seen = {"failed": [], "locked": []}

    def failed(sender, credentials, request=None, **kwargs):
        seen["failed"].append(credentials.get("username"))

    def locked(sender, request, username, ip_address, **kwargs):
        seen["locked"].append((username, ip_address))

    user_login_failed.connect(failed)
    user_locked_out.connect(locked)
    yield seen
    user_login_failed.disconnect(failed)
    user_locked_out.disconnect(locked)


def test_the_sixth_login_after_five_failures_is_refused_even_with_the_right_password(client, officer1, freeze, signals):
    """G1: five failures within 15 minutes lock that username from that address; the lockout is signalled."""
    freeze("2026-12-01 09:00:00")
    for minute in range(5):
        freeze(f"2026-12-01 09:{minute * 3:02d}:00")
        log_in(client, "officer1", "wrong-password")
    response = log_in(client, "officer1")
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert signals["failed"].count("officer1") == 6
    assert ("officer1", "10.1.1.1") in signals["locked"]


def test_a_lock_holds_for_thirty_minutes_and_only_for_that_address(client, officer1, freeze):
    """G1: another address may still log in; the locked one may again 30 minutes after the last failure."""
    freeze("2026-12-01 09:00:00")
    for _ in range(5):
        log_in(client, "officer1", "wrong-password")
    assert log_in(client, "officer1", ip="10.9.9.9")["Location"] == reverse("home")
    client.logout()
    freeze("2026-12-01 09:29:00")
    assert log_in(client, "officer1").status_code == 429
    freeze("2026-12-01 09:30:30")
    assert log_in(client, "officer1")["Location"] == reverse("home")


def test_failures_more_than_fifteen_minutes_apart_start_the_count_again(client, officer1, freeze):
    """G1: the count is of failures within 15 minutes; a quiet quarter of an hour starts it afresh."""
    freeze("2026-12-01 09:00:00")
    for _ in range(4):
        log_in(client, "officer1", "wrong-password")
    freeze("2026-12-01 09:16:00")
    for _ in range(4):
        log_in(client, "officer1", "wrong-password")
    assert log_in(client, "officer1")["Location"] == reverse("home")


def test_the_admin_login_locks_too_and_staff_unlock_in_the_admin(client, manager, admin_client_bureau):
    """G1: the admin login counts like the portal's; bureau staff lift the lock and the account logs in at once."""
    for _ in range(5):
        log_in(client, "manager", "wrong-password", url=reverse("admin:login"))
    assert log_in(client, "manager", url=reverse("admin:login")).status_code == 429
    lock = LoginLockout.objects.get(username="manager")
    changelist = reverse("admin:authorizations_loginlockout_changelist")
    assert "manager" in admin_client_bureau.get(changelist).content.decode()
    admin_client_bureau.post(changelist, {"action": "unlock", "_selected_action": [lock.pk]})
    assert not LoginLockout.objects.exists()
    assert log_in(client, "manager", url=reverse("admin:login")).status_code == 302


# Idle sessions (G1)


def test_a_session_idle_for_more_than_thirty_minutes_ends_with_a_notice(client, officer1, freeze):
    """G1: 29 idle minutes keep the session; 31 end it, and the login page says 会话已超时."""
    freeze("2026-12-01 09:00:00")
    log_in(client, "officer1")
    assert client.get(reverse("portal:index")).status_code == 200
    freeze("2026-12-01 09:29:00")
    assert client.get(reverse("portal:index")).status_code == 200
    freeze("2026-12-01 10:00:30")
    response = client.get(reverse("portal:index"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "会话已超时" in response.content.decode()
    assert "_auth_user_id" not in client.session


# Second factor (G3)


@pytest.fixture
def require_2fa(settings):
    settings.ZZ_REQUIRE_2FA = True


def test_a_manager_cannot_reach_the_dashboard_or_admin_without_the_code(client, manager, require_2fa):
    """G3: with the second factor on, a password alone opens neither the dashboard nor the admin."""
    log_in(client, "manager")
    for url in (reverse("dashboard"), reverse("admin:index"), reverse("admin:authorizations_station_changelist")):
        assert client.get(url)["Location"].startswith(reverse("otp_setup")), url


def test_a_manager_enrols_by_qr_code_then_signs_in_with_the_code_or_a_recovery_code(
    client, manager, require_2fa, freeze
):
    """G3: the first login shows a QR code; the app's first code confirms it and gives ten single-use recovery codes;
    later logins ask for the code of the moment, and a used code or recovery code does not work twice."""
    freeze("2026-12-01 09:00:00")
    log_in(client, "manager")
    setup = client.get(reverse("otp_setup")).content.decode()
    assert "<svg" in setup and "扫描下面的二维码" in setup
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    assert (
        client.post(reverse("otp_setup"), {"token": "000000" if code(device) != "000000" else "111111"}).status_code
        == 200
    )
    freeze("2026-12-01 09:00:05")  # django-otp makes a wrong guess wait before the next one
    response = client.post(reverse("otp_setup"), {"token": code(device)}, follow=True)
    codes = response.context["codes"]
    assert len(codes) == 10 and "只显示这一次" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 200

    client.post(reverse("logout"))
    log_in(client, "manager")
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("otp_verify"))
    assert client.post(reverse("otp_verify"), {"token": code(device)}).status_code == 200  # already used
    freeze("2026-12-01 09:00:40")
    assert client.post(reverse("otp_verify"), {"token": code(device)})["Location"] == reverse("home")
    assert client.get(reverse("dashboard")).status_code == 200

    client.post(reverse("logout"))
    log_in(client, "manager")
    assert client.post(reverse("otp_verify"), {"token": codes[0]})["Location"] == reverse("home")
    client.post(reverse("logout"))
    log_in(client, "manager")
    assert client.post(reverse("otp_verify"), {"token": codes[0]}).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 302


def test_after_a_wrong_code_the_next_try_must_wait_and_is_told_how_long(client, manager, require_2fa, freeze):
    """G3: guessing is slowed down (django-otp doubles the wait after each wrong code), and the page says so."""
    freeze("2026-12-01 09:00:00")
    device = TOTPDevice.objects.create(user=manager, name="身份验证器", confirmed=True)
    log_in(client, "manager")
    wrong = "000000" if code(device) != "000000" else "111111"
    assert "验证码不正确" in client.post(reverse("otp_verify"), {"token": wrong}).content.decode()
    assert "秒后再试" in client.post(reverse("otp_verify"), {"token": code(device)}).content.decode()
    freeze("2026-12-01 09:00:02")
    assert client.post(reverse("otp_verify"), {"token": code(device)})["Location"] == reverse("home")


def test_officers_are_not_asked_for_a_second_factor(client, officer1, require_2fa):
    """G3: the second factor is for bureau staff and managers."""
    log_in(client, "officer1")
    assert client.get(reverse("portal:index")).status_code == 200


def test_staff_reset_a_lost_phone_and_the_owner_enrols_again(client, manager, bureau, require_2fa, freeze):
    """G3: bureau staff (themselves signed in with the code) remove another account's devices in the admin; its next
    login enrols a new one."""
    freeze("2026-12-01 09:00:00")
    TOTPDevice.objects.create(user=manager, name="身份验证器", confirmed=True)
    staff = verified_client(bureau)
    staff.post(
        reverse("admin:authorizations_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [manager.pk]},
    )
    assert not TOTPDevice.objects.filter(user=manager).exists()
    log_in(client, "manager")
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("otp_setup"))


def test_second_factor_pages_need_a_login(client):
    """G3: the enrolment and code pages belong to a signed-in account."""
    for name in ("otp_setup", "otp_verify", "otp_recovery_codes"):
        assert client.get(reverse(name))["Location"].startswith(reverse("login"))


# Admin user form (G1, Actors)


def test_staff_cannot_make_another_account_superuser_or_staff_in_the_admin(admin_client_bureau, officer1):
    """G1, Actors: the role decides rights; the user form has no superuser, staff, group or permission boxes."""
    url = reverse("admin:authorizations_user_change", args=[officer1.pk])
    page = admin_client_bureau.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page and 'name="groups"' not in page
    admin_client_bureau.post(
        url,
        {
            "username": "officer1",
            "last_name": "王",
            "first_name": "一",
            "email": "officer1@example.cn",
            "phone": "",
            "role": Role.OFFICER,
            "station": officer1.station_id,
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "user_permissions": [1],
            "_save": "1",
        },
    )
    officer1.refresh_from_db()
    assert officer1.last_name == "王"
    assert (officer1.is_superuser, officer1.is_staff, officer1.user_permissions.count()) == (False, False, 0)
