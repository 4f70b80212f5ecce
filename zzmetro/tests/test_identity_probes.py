"""Probes of the identity rules from outside (DOMAIN G1–G3): the ways a client could slip past the lockout, the idle
timeout, the second factor, the password rules, and the headers every signed-in answer carries."""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse, reverse_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from authorizations.models import LoginLockout, User
from authorizations.tests.factories import PASSWORD, CertificateFactory
from zzmetro.models import SecurityEvent

pytestmark = pytest.mark.django_db


def log_in(client, username, password=PASSWORD, ip="10.1.1.1", url=None, **headers):
    data = {"username": username, "password": password}
    return client.post(url or reverse("login"), data, REMOTE_ADDR=ip, **headers)


def fail_five_times(client, username="officer1", **kwargs):
    for _ in range(5):
        log_in(client, username, "wrong-password", **kwargs)


# ---------------------------------------------------------------- lockout (G1)


@pytest.mark.parametrize("typed", [" officer1", "officer1 ", "\tofficer1", "ｏｆｆｉｃｅｒ１"])
def test_a_locked_username_stays_locked_for_thirty_minutes_however_it_is_typed(client, officer1, freeze, typed):
    """G1: the login form strips spaces and folds full-width letters, so these all sign in as officer1; the lock of
    officer1 holds 30 minutes for every spelling, not only the 15-minute counting window."""
    freeze("2026-12-01 09:00:00")
    fail_five_times(client)
    freeze("2026-12-01 09:20:00")
    assert log_in(client, typed).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("typed", [" officer1", "ｏｆｆｉｃｅｒ１"])
def test_failures_typed_in_other_spellings_count_towards_the_same_lock(client, officer1, freeze, typed):
    """G1: five failures with a padded or full-width username lock officer1 for 30 minutes."""
    freeze("2026-12-01 09:00:00")
    fail_five_times(client, typed)
    freeze("2026-12-01 09:20:00")
    assert log_in(client, "officer1").status_code == 429


def test_failures_split_between_the_portal_and_the_admin_login_add_up(client, manager, freeze):
    """G1: the portal login and the admin login count together."""
    freeze("2026-12-01 09:00:00")
    for n in range(5):
        url = reverse("login") if n % 2 else reverse("admin:login")
        log_in(client, "manager", "wrong-password", url=url)
    assert log_in(client, "manager").status_code == 429
    assert log_in(client, "manager", url=reverse("admin:login")).status_code == 429
    assert SecurityEvent.objects.filter(event=SecurityEvent.Kind.LOCKOUT, account="manager").count() == 1


def test_a_username_in_another_case_is_not_the_account_and_does_not_unlock_it(client, officer1, freeze):
    """G1: user names are exact; OFFICER1 never signs in as officer1, locked or not."""
    freeze("2026-12-01 09:00:00")
    fail_five_times(client)
    response = log_in(client, "OFFICER1")
    assert response.status_code in (200, 429) and "_auth_user_id" not in client.session


@pytest.mark.parametrize("proxy", [True, False])
def test_a_client_cannot_escape_the_lock_with_a_forged_forwarded_for_header(client, officer1, settings, freeze, proxy):
    """G1: the address is the one the proxy saw (nginx appends it as the last X-Forwarded-For hop), or the peer's
    address without the proxy; whatever the client writes in front cannot move it."""
    freeze("2026-12-01 09:00:00")
    if proxy:
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    else:
        settings.SECURE_PROXY_SSL_HEADER = None

    def via_proxy(n, password):
        # What nginx's `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` forwards for a client at
        # 203.0.113.7 that sent its own header: the client's text, then the address nginx saw.
        forged = f"198.51.100.{n}"
        header = f"{forged}, 203.0.113.7" if proxy else forged
        remote = "127.0.0.1" if proxy else "203.0.113.7"
        return log_in(client, "officer1", password, ip=remote, HTTP_X_FORWARDED_FOR=header)

    for n in range(5):
        via_proxy(n, "wrong-password")
    assert via_proxy(99, PASSWORD).status_code == 429
    assert set(LoginLockout.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_behind_the_proxy_a_client_reaching_the_web_server_directly_cannot_name_its_address(
    client, officer1, settings, freeze
):
    """G1: X-Forwarded-For is read only on the proxy's own connection; a client that reaches gunicorn past nginx is
    counted by its own address whatever header it writes."""
    freeze("2026-12-01 09:00:00")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for n in range(5):
        log_in(client, "officer1", "wrong-password", ip="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert log_in(client, "officer1", ip="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429
    assert set(LoginLockout.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    logins = SecurityEvent.objects.filter(event__in=[SecurityEvent.Kind.LOGIN_FAILED, SecurityEvent.Kind.LOCKOUT])
    assert set(logins.values_list("address", flat=True)) == {"203.0.113.9"}


def test_the_deployed_proxy_appends_the_address_it_saw_and_is_the_only_way_in():
    """G1, G2: every location nginx passes on sets X-Forwarded-For to the client's header plus $remote_addr (the last
    hop, which client_ip reads), and the web server listens on loopback only, where TRUSTED_PROXY_ADDRESSES point."""
    site = (django_settings.BASE_DIR / "deploy" / "nginx" / "zzmetro.conf").read_text(encoding="utf-8")
    blocks = re.findall(r"location [^{]*\{[^}]*proxy_pass[^}]*\}", site)
    assert blocks
    for block in blocks:
        headers = re.findall(r"proxy_set_header\s+X-Forwarded-For\s+(\S+);", block)
        assert headers == ["$proxy_add_x_forwarded_for"], block
    unit = (django_settings.BASE_DIR / "deploy" / "systemd" / "zzmetro-web.service").read_text(encoding="utf-8")
    assert "--bind 127.0.0.1:" in unit
    assert "127.0.0.1" in django_settings.TRUSTED_PROXY_ADDRESSES


# ---------------------------------------------------------------- idle sessions (G1)


def test_a_login_not_followed_by_any_page_still_ends_after_thirty_idle_minutes(client, officer1, freeze):
    """G1: the idle clock starts at the login itself, not at the first page after it."""
    freeze("2026-12-01 09:00:00")
    log_in(client, "officer1")
    freeze("2026-12-01 09:31:00")
    response = client.get(reverse("portal:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", reverse_lazy("admin:authorizations_station_changelist")),
        ("post", reverse_lazy("admin:authorizations_station_changelist")),
        ("get", reverse_lazy("dash:export", args=["stations"])),
        ("get", reverse_lazy("dash:brief")),
        ("post", reverse_lazy("password_change")),
    ],
)
def test_after_thirty_idle_minutes_admin_pages_writes_and_exports_need_a_new_login(client, bureau, freeze, method, url):
    """G1: the idle timeout holds for the admin, writes, and the dashboard's workbook and PDF brief."""
    freeze("2026-12-01 09:00:00")
    log_in(client, "bureau")
    assert client.get(reverse("admin:index")).status_code == 200
    freeze("2026-12-01 09:31:00")
    response = getattr(client, method)(str(url))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert "_auth_user_id" not in client.session


# ---------------------------------------------------------------- second factor (G3)

# The only pages a password-only session of bureau staff or a manager may open: the second factor's own and logout;
# the health probes are answered before sessions are read at all, and show no data (zzmetro/health.py).
SECOND_FACTOR_STEPS = {"otp_setup", "otp_verify", "logout", "admin:logout", "healthz_live", "healthz_ready"}


def every_url() -> list[str]:
    """One concrete path per named URL pattern of the project, the admin's included (ids 1, other parts "x")."""
    paths = set()
    for name, params in _named_patterns(get_resolver(), None, ()):
        if name in SECOND_FACTOR_STEPS:
            continue
        for value in ("1", "x", "authorizations"):
            try:
                paths.add(reverse(name, kwargs={p: value for p in params} or None))
                break
            except NoReverseMatch:
                continue
    return sorted(paths)


def _named_patterns(resolver, namespace, params):
    for pattern in resolver.url_patterns:
        own = (*params, *_params(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _named_patterns(pattern, pattern.namespace or namespace, own)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), own


def _params(pattern) -> tuple[str, ...]:
    return tuple(getattr(pattern, "converters", {}) or pattern.regex.groupindex)


@pytest.fixture
def require_2fa(settings):
    settings.ZZ_REQUIRE_2FA = True


@pytest.mark.parametrize("role", ["bureau", "manager"])
def test_a_password_only_session_reaches_no_page_but_the_second_factor_steps(client, role, require_2fa, request):
    """G3: admin (index, changelists, history, actions), dashboard and its exports, downloads, JSON progress and the
    portal all send a bureau or manager account signed in by password alone to the code page, for GET and POST."""
    user = request.getfixturevalue(role)
    TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    log_in(client, role)
    urls = every_url()
    assert len(urls) > 100 and reverse("admin:authorizations_station_history", args=[1]) in urls
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(reverse("otp_verify")), (method, url)
            assert "no-store" in response["Cache-Control"], (method, url)
    action = {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"}
    assert client.post(reverse("admin:authorizations_user_changelist"), action).status_code == 302
    assert User.objects.filter(pk=user.pk).exists()


# ---------------------------------------------------------------- headers (issue 13: no-store, CSP, X-Frame-Options)


def assert_guarded(response, *, signed_in=True):
    """no-store for a signed-in user's answer; a CSP without inline scripts and DENY framing on every answer."""
    where = (response.status_code, response.get("Location", ""))
    if signed_in:
        assert "no-store" in response.get("Cache-Control", ""), where
    assert response.get("X-Frame-Options") == "DENY", where
    policy = response.get("Content-Security-Policy", "")
    script = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
    assert script and "unsafe-inline" not in script and "unsafe-eval" not in script, (where, policy)
    assert "frame-ancestors 'none'" in policy, where


def test_every_kind_of_answer_to_a_signed_in_user_is_no_store_unframed_and_without_inline_scripts(
    client, officer1, bureau, settings
):
    """issue 13 (G1): pages, redirects (a missing slash too), 404, 403, 400 and 413 answers, CSRF failures and
    downloads served to a signed-in user are never cached and carry the CSP and X-Frame-Options."""
    client.force_login(officer1)
    answers = {
        "page": client.get(reverse("portal:index")),
        "slash redirect": client.get("/portal"),
        "404": client.get("/portal/applications/999999/"),
        "403": client.get(reverse("dashboard")),
        "400": client.get(reverse("portal:index"), {"q": "a\x00b"}),
        "413": client.post(
            reverse("archive:import_create"),
            data=b"x" * 10,
            content_type="multipart/form-data; boundary=zz",
            CONTENT_LENGTH=str(200 * 1024 * 1024),
        ),
        "download": client.get(reverse("archive:import_template")),
    }
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(officer1)
    answers["csrf 403"] = csrf_client.post(reverse("portal:application_create"), {})
    staff = Client()
    staff.force_login(bureau)
    answers["admin"] = staff.get(reverse("admin:authorizations_station_changelist"))
    answers["admin redirect"] = staff.get("/admin/authorizations/station")
    answers["admin 404"] = staff.get("/admin/authorizations/station/999999/change/")
    answers["export"] = staff.get(reverse("dash:export", args=["stations"]))
    unguarded = []
    for what, response in answers.items():
        try:
            assert_guarded(response)
        except AssertionError as error:
            unguarded.append(f"{what}: {error}")
    assert not unguarded
    assert answers["413"].status_code == 413 and answers["400"].status_code == 400
    assert answers["slash redirect"].status_code == 301 and answers["csrf 403"].status_code == 403


def test_the_idle_timeout_redirect_is_not_kept_either(client, officer1, freeze):
    """issue 13 (G1): the answer that ends an idle session came to a signed-in session and is no-store too."""
    freeze("2026-12-01 09:00:00")
    log_in(client, "officer1")
    freeze("2026-12-01 09:31:00")
    response = client.get(reverse("portal:index"))
    assert response["Location"].startswith(reverse("login"))
    assert_guarded(response)


def test_anonymous_error_pages_and_the_lockout_page_carry_the_csp_and_deny_framing_too(client, officer1):
    """issue 13: error pages as well as pages, and the lockout page of the portal and the admin login."""
    fail_five_times(client)
    answers = [
        client.get("/no-such-page/"),
        client.get("/register"),
        client.get("/register/", {"q": "\x00"}),
        log_in(client, "officer1"),
        log_in(client, "officer1", url=reverse("admin:login")),
    ]
    assert answers[-1].status_code == answers[-2].status_code == 429
    for response in answers:
        assert_guarded(response, signed_in=False)


# ---------------------------------------------------------------- passwords (G1)


def problems(password, user):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.parametrize("password", ["officer1-Zhengzhou", "Zz#OFFICER1#2026", "2026!Officer1@zz"])
def test_a_password_that_contains_the_username_is_refused(officer1, password):
    """G1: not similar to the username — a password that has it inside, in any case, is as good as guessed."""
    assert "password_too_similar" in problems(password, officer1)


def test_staff_cannot_set_one_of_the_accounts_last_five_passwords_in_the_admin(admin_client_bureau, officer1):
    """G1: the admin's "change password" of another account applies the same history rule."""
    url = reverse("admin:auth_user_password_change", args=[officer1.pk])
    response = admin_client_bureau.post(url, {"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"})
    assert response.status_code == 200 and "最近5次使用过的密码" in response.content.decode()
    weak = admin_client_bureau.post(url, {"password1": "officer1", "password2": "officer1", "usable_password": "true"})
    assert weak.status_code == 200
    officer1.refresh_from_db()
    assert officer1.check_password(PASSWORD) and not officer1.must_change_password


def test_an_account_made_by_createsuperuser_changes_its_password_before_any_page(client, monkeypatch):
    """G1: whoever typed the console password hands the account over; its first login goes to the change page, and
    the account's creation is in the audit log."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Console-set-2026")
    call_command("createsuperuser", interactive=False, username="root2", email="root2@example.cn", verbosity=0)
    assert User.objects.get(username="root2").must_change_password
    assert SecurityEvent.objects.filter(event=SecurityEvent.Kind.ACCOUNT_CREATE, target__contains="root2").exists()
    log_in(client, "root2", "Console-set-2026")
    for url in (reverse("admin:index"), reverse("dashboard"), reverse("dash:export", args=["stations"])):
        assert client.get(url)["Location"].startswith(reverse("password_change")), url


@pytest.mark.parametrize("password", ["123", "rootadmin", "root3-Zhengzhou"])
def test_createsuperuser_refuses_a_password_the_rules_refuse(monkeypatch, password):
    """G1: the console's password follows the same rules (--noinput takes DJANGO_SUPERUSER_PASSWORD unchecked)."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError, match="密码"):
        call_command("createsuperuser", interactive=False, username="root3", email="root3@example.cn", verbosity=0)
    assert not User.objects.filter(username="root3").exists()


def test_staff_cannot_clear_the_first_login_change_they_caused(admin_client_bureau, officer1, client):
    """G1: after staff set a password, only its owner's own change clears the flag; unticking it in the user form
    does not let the staff-known password stay."""
    url = reverse("admin:auth_user_password_change", args=[officer1.pk])
    admin_client_bureau.post(
        url, {"password1": "Reset-by-jlc-1", "password2": "Reset-by-jlc-1", "usable_password": "true"}
    )
    change = reverse("admin:authorizations_user_change", args=[officer1.pk])
    form = {
        "username": "officer1",
        "last_name": "王",
        "first_name": "一",
        "email": "officer1@example.cn",
        "phone": "",
        "role": "officer",
        "station": officer1.station_id,
        "is_active": "on",
        "_save": "1",
    }
    assert admin_client_bureau.post(change, form).status_code == 302
    officer1.refresh_from_db()
    assert officer1.last_name == "王" and officer1.must_change_password
    log_in(client, "officer1", "Reset-by-jlc-1")
    assert client.get(reverse("portal:index"))["Location"].startswith(reverse("password_change"))


def test_a_manager_cannot_lift_a_lockout(client, manager, officer1):
    """G1, Actors: unlocking is a change; managers only read."""
    for _ in range(5):
        log_in(Client(), "officer1", "wrong-password")
    lock = LoginLockout.objects.get(username="officer1")
    client.force_login(manager)
    changelist = reverse("admin:authorizations_loginlockout_changelist")
    client.post(changelist, {"action": "unlock", "_selected_action": [lock.pk]})
    client.post(reverse("admin:authorizations_loginlockout_delete", args=[lock.pk]), {"post": "yes"})
    assert LoginLockout.objects.filter(pk=lock.pk).exists()


# ---------------------------------------------------------------- audit (G2)


def test_every_dashboard_export_and_the_brief_are_in_the_audit_log(client, manager):
    """G2: each workbook of the dashboard and its PDF brief, with the account and address."""
    client.force_login(manager)
    for url, kind in (
        (reverse("dash:export", args=["stations"]), SecurityEvent.Kind.EXPORT),
        (reverse("dash:export", args=["tiles"]), SecurityEvent.Kind.EXPORT),
        (reverse("dash:brief"), SecurityEvent.Kind.DOWNLOAD),
    ):
        response = client.get(url, REMOTE_ADDR="10.6.6.6")
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
        row = SecurityEvent.objects.filter(path=url).get()
        assert (row.event, row.account, row.address) == (kind, "manager", "10.6.6.6"), url
        assert "no-store" in response["Cache-Control"], url


def test_the_archive_export_and_a_certificate_pdf_are_in_the_audit_log(client, officer1):
    """G2: an officer's archive workbook and certificate document."""
    certificate = CertificateFactory(station=officer1.station, valid=True)
    client.force_login(officer1)
    for url in (
        reverse("archive:export"),
        reverse("portal:certificate_document", args=[certificate.pk, "certificate"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert SecurityEvent.objects.filter(path=url, account="officer1").exists(), url


def test_the_licence_inspection_attachments_are_in_the_audit_log(admin_client_bureau):
    """G2: the special inspection's attachments and summary leave as recorded files."""
    for name in ("licences:survey", "licences:administrators", "licences:summary", "licences:export"):
        url = reverse(name)
        response = admin_client_bureau.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert SecurityEvent.objects.filter(path=url, account="bureau").exists(), url


def test_a_staff_unlock_is_in_the_audit_log(client, manager, bureau):
    """G2: lifting a lockout is an admin change of its own."""
    for _ in range(5):
        log_in(client, "manager", "wrong-password")
    lock = LoginLockout.objects.get(username="manager")
    staff = Client()
    staff.force_login(bureau)
    changelist = reverse("admin:authorizations_loginlockout_changelist")
    staff.post(changelist, {"action": "unlock", "_selected_action": [lock.pk]}, REMOTE_ADDR="10.3.3.3")
    row = SecurityEvent.objects.filter(account="bureau", event=SecurityEvent.Kind.ADMIN_ACTION).get()
    assert row.address == "10.3.3.3" and str(lock.pk) in row.detail


def test_a_wrong_second_factor_code_is_in_the_audit_log_as_a_failed_login(client, manager, require_2fa, freeze):
    """G2, G3: a password that was right followed by a wrong code is a failed login, recorded with the address."""
    freeze("2026-12-01 09:00:00")
    TOTPDevice.objects.create(user=manager, name="身份验证器", confirmed=True)
    log_in(client, "manager", ip="10.5.5.5")
    client.post(reverse("otp_verify"), {"token": "12345"}, REMOTE_ADDR="10.5.5.5")
    row = SecurityEvent.objects.filter(event=SecurityEvent.Kind.LOGIN_FAILED).get()
    assert (row.account, row.address, row.result) == ("manager", "10.5.5.5", SecurityEvent.FAILURE)
