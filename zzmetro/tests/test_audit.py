"""Security audit log (DOMAIN G2): who did what, from where, with what result — kept at least 180 days, only older
rows ever purged, and no role able to rewrite or delete a recent row."""

import datetime as dt
import io
import zipfile

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from authorizations import services as lifecycle
from authorizations.models import Role
from authorizations.tests.factories import PASSWORD, ApplicationFactory, StationFactory
from zzmetro.appendonly import ImmutableRecordError, event_tables
from zzmetro.audit import AuditRetentionError, purge
from zzmetro.celery import app as celery_app
from zzmetro.dates import beijing_today
from zzmetro.models import SecurityEvent
from zzmetro.tasks import purge_audit
from zzmetro.testing import pdf_bytes
from zzmetro.tests.test_db_roles import app_role, connect, refused  # noqa: F401 - app_role is a fixture

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the database roles are PostgreSQL's")


def events(kind=None, **filters):
    rows = SecurityEvent.objects.filter(**filters)
    return list(rows.filter(event=kind) if kind else rows)


def last(kind) -> SecurityEvent:
    row = SecurityEvent.objects.filter(event=kind).order_by("-id").first()
    assert row is not None, f"no {kind} event"
    return row


def aged(days: float, **fields) -> SecurityEvent:
    return SecurityEvent.objects.create(at=timezone.now() - dt.timedelta(days=days), event=Kind.LOGIN, **fields)


def log_in(client, username, password=PASSWORD, ip="10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


# ---------------------------------------------------------------- retention


def test_the_purge_keeps_a_179_day_old_row_and_removes_a_181_day_old_one():
    """G2: kept at least six months; only rows older than the retention (default 180 days) are purged."""
    kept, gone = aged(179, account="kept"), aged(181, account="gone")
    assert purge() == 1
    assert set(SecurityEvent.objects.values_list("account", flat=True)) == {"kept"}
    assert not SecurityEvent.objects.filter(pk=gone.pk).exists() and SecurityEvent.objects.filter(pk=kept.pk).exists()


def test_a_longer_retention_setting_keeps_rows_longer(settings):
    """G2: the retention is a setting; a year keeps a 200-day-old row."""
    settings.AUDIT_RETENTION_DAYS = 365
    aged(200, account="within a year")
    assert purge() == 0 and SecurityEvent.objects.count() == 1


def test_a_retention_shorter_than_180_days_is_refused_by_the_job_and_the_command(settings):
    """G2: a setting of 179 days deletes nothing; the daily task fails loudly and the command explains why."""
    settings.AUDIT_RETENTION_DAYS = 179
    aged(179.5)
    with pytest.raises(AuditRetentionError, match="至少保存180天"):
        purge()
    with pytest.raises(AuditRetentionError):
        purge_audit.delay()
    with pytest.raises(CommandError, match="至少保存180天"):
        call_command("purge_audit", days=90)
    assert SecurityEvent.objects.count() == 1


def test_the_purge_command_reports_what_it_removed(settings):
    """G2: staff can run the daily purge by hand and see the count."""
    aged(400)
    out = io.StringIO()
    call_command("purge_audit", stdout=out)
    assert out.getvalue().strip() == "已删除1条180天以前的安全审计记录。"


def test_the_purge_runs_daily_at_three_beijing_time():
    """G2: a daily job (Celery beat schedules in Beijing time, T1)."""
    entry = celery_app.conf.beat_schedule["audit-purge-daily"]
    assert entry["task"] == purge_audit.name == "zzmetro.purge_audit"
    assert (
        entry["schedule"].hour == {3} and entry["schedule"].minute == {0} and len(entry["schedule"].day_of_month) == 31
    )


# ---------------------------------------------------------------- append-only in the application and the database


def test_the_orm_refuses_to_change_or_delete_a_security_event():
    """G2: append-only, as the event tables (A12)."""
    row = aged(1)
    row.result = "改写"
    with pytest.raises(ImmutableRecordError):
        row.save()
    with pytest.raises(ImmutableRecordError):
        SecurityEvent.objects.all().delete()
    with pytest.raises(ImmutableRecordError):
        SecurityEvent.objects.update(result="改写")


def test_raw_sql_cannot_delete_a_recent_row_nor_update_any_row():
    """G2: the database itself refuses, whatever the application does: a recent row stays, an old one stays unchanged."""
    recent, old = aged(179), aged(181)
    table = SecurityEvent._meta.db_table
    for sql, params in (
        (f"DELETE FROM {table} WHERE id = %s", [recent.pk]),
        (f"UPDATE {table} SET result = 'rewritten' WHERE id = %s", [old.pk]),
        (
            f"UPDATE {table} SET at = at - interval '1 year' WHERE id = %s"
            if connection.vendor == "postgresql"
            else f"UPDATE {table} SET at = '2000-01-01 00:00:00' WHERE id = %s",
            [recent.pk],
        ),
    ):
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert SecurityEvent.objects.filter(pk=recent.pk).exists()
    assert SecurityEvent.objects.get(pk=old.pk).result == SecurityEvent.SUCCESS


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_owner_cannot_truncate_the_audit_table():
    """G2: the statement trigger of the event tables guards this table too (the test suite's own opt-in aside)."""
    aged(1)
    owner = connect(connection.settings_dict["USER"])
    try:
        assert "append-only" in refused(owner, f"TRUNCATE {SecurityEvent._meta.db_table}")
    finally:
        owner.close()
    assert SecurityEvent.objects.count() == 1


@postgres_only
def test_the_database_function_refuses_fewer_than_180_days_whoever_calls_it():
    """G2: the floor lives in the database, not only in the setting."""
    aged(200)
    with pytest.raises(DatabaseError, match="at least 180 days"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT zz_purge_security_events(179)")
    assert SecurityEvent.objects.count() == 1


def test_the_audit_table_is_classified_with_the_event_tables():
    """G2 and A12: the application role gets only SELECT and INSERT on it (zzmetro/dbroles.py)."""
    assert SecurityEvent._meta.db_table in event_tables()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_application_role_inserts_and_purges_old_rows_but_cannot_delete_or_update(app_role):  # noqa: F811
    """G2: the portal's own role writes events and runs the purge, yet cannot erase a recent row by any route."""
    table = SecurityEvent._meta.db_table
    recent, old = aged(10), aged(181)
    assert "permission denied" in refused(app_role, f"DELETE FROM {table} WHERE id = %s", [old.pk])
    assert "permission denied" in refused(app_role, f"UPDATE {table} SET result = 'x'")
    assert "permission denied" in refused(app_role, f"TRUNCATE {table}")
    assert "must be owner" in refused(app_role, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert "at least 180 days" in refused(app_role, "SELECT zz_purge_security_events(30)")
    with app_role.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (at, event, account, address, target, result, detail, path) "
            "VALUES (now(), 'login', 'app', '', '', '成功', '', '') RETURNING id"
        )
        assert cursor.fetchone()[0] > old.pk
        cursor.execute("SELECT zz_purge_security_events(180)")
        assert cursor.fetchone()[0] == 1
    assert set(SecurityEvent.objects.values_list("pk", flat=True)) == {
        recent.pk,
        SecurityEvent.objects.get(account="app").pk,
    }


# ---------------------------------------------------------------- logins, lockouts, logouts


def test_a_login_and_a_logout_are_recorded_with_account_and_address(client, officer1):
    """G2: time, account, address, event and result of a successful login and of the logout."""
    assert log_in(client, "officer1", ip="10.9.8.7").status_code == 302
    login = last(Kind.LOGIN)
    assert (login.account, login.address, login.result) == ("officer1", "10.9.8.7", "成功")
    assert abs(login.at - timezone.now()) < dt.timedelta(minutes=1)
    client.post(reverse("logout"), REMOTE_ADDR="10.9.8.7")
    assert (last(Kind.LOGOUT).account, last(Kind.LOGOUT).address) == ("officer1", "10.9.8.7")


def test_a_failed_login_names_the_username_typed_and_never_the_password(client, officer1):
    """G2: a failure is recorded with the attempted account; the password typed appears nowhere."""
    log_in(client, "officer1", password="Wrong-guess-123", ip="10.1.2.3")
    failure = last(Kind.LOGIN_FAILED)
    assert (failure.account, failure.address, failure.result) == ("officer1", "10.1.2.3", "失败")
    assert not any("Wrong-guess-123" in str(value) for value in SecurityEvent.objects.values_list())


def test_behind_the_proxy_the_address_is_the_last_forwarded_hop(client, officer1, settings):
    """G2: behind the HTTPS proxy the client's address is the one the proxy saw, not the proxy's own."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.post(
        reverse("login"),
        {"username": "officer1", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 10.20.30.40",
        HTTP_X_FORWARDED_PROTO="https",
        secure=True,
    )
    assert last(Kind.LOGIN).address == "10.20.30.40"


@pytest.mark.skipif(not apps.is_installed("axes"), reason="the lockout comes from django-axes (DOMAIN G1)")
def test_the_lockout_is_in_the_audit_log_once_and_later_attempts_as_refused_failures(client, officer1, settings):
    """G2 with G1: the fifth failure locks the account from that address; the lock is one event, and a correct
    password tried during it is a failure that never reached the password check."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "officer1", password="Wrong-guess-123", ip="10.5.5.5")
    lockout = last(Kind.LOCKOUT)
    assert (lockout.account, lockout.address, lockout.result) == ("officer1", "10.5.5.5", "已锁定")
    assert f"连续登录失败{settings.AXES_FAILURE_LIMIT}次" in lockout.detail
    assert len(events(Kind.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT

    assert log_in(client, "officer1", ip="10.5.5.5").status_code == 429
    assert len(events(Kind.LOCKOUT)) == 1 and not events(Kind.LOGIN)
    assert last(Kind.LOGIN_FAILED).detail == "账号处于锁定期，未校验密码"


# ---------------------------------------------------------------- passwords and accounts


def test_the_owners_password_change_is_recorded(client, officer1):
    """G2: a password change, by its owner."""
    client.force_login(officer1)
    new = "Zz-new-pass-2026"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    change = last(Kind.PASSWORD_CHANGE)
    assert (change.account, change.target, change.detail) == ("officer1", "用户：officer1", "本人修改")


def test_a_reset_request_and_the_reset_by_link_are_recorded(client, officer1):
    """G2: the request names the address typed (whether or not an account has it); the new password is a reset."""
    officer1.email = "officer1@example.cn"
    officer1.save()
    client.post(reverse("password_reset"), {"email": "officer1@example.cn"}, REMOTE_ADDR="10.3.3.3")
    request = last(Kind.PASSWORD_RESET_REQUEST)
    assert (request.account, request.address, request.target, request.result) == (
        "",
        "10.3.3.3",
        "邮箱：officer1@example.cn",
        "已受理",
    )

    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid, token = urlsafe_base64_encode(force_bytes(officer1.pk)), default_token_generator.make_token(officer1)
    page = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    new = "Zz-reset-pass-2026"
    client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, REMOTE_ADDR="10.3.3.3")
    reset = last(Kind.PASSWORD_RESET)
    assert (reset.account, reset.address, reset.target, reset.detail) == (
        "officer1",
        "10.3.3.3",
        "用户：officer1",
        "通过邮件链接重置",
    )


def test_staff_resetting_a_password_and_changing_a_role_are_recorded_as_theirs(client, bureau, officer1):
    """G2: account and role changes name the staff member who made them, the account changed, and the change."""
    client.force_login(bureau)
    new = "Zz-staff-set-2026"
    url = reverse("admin:auth_user_password_change", args=[officer1.pk])
    assert client.post(url, {"password1": new, "password2": new}, REMOTE_ADDR="10.7.7.7").status_code == 302
    reset = last(Kind.PASSWORD_RESET)
    assert (reset.account, reset.address, reset.target, reset.detail) == (
        "bureau",
        "10.7.7.7",
        "用户：officer1",
        "由管理员重设",
    )

    officer1.refresh_from_db()
    officer1.role, officer1.station = Role.MANAGER, None
    officer1.save()
    role = last(Kind.ROLE_CHANGE)
    assert role.target == "用户：officer1"
    assert (
        "角色：计量信息员 → 局/处领导（只读）" in role.detail and "所属单位：" in role.detail and "→ 无" in role.detail
    )
    officer1.is_active = False
    officer1.save(update_fields=["is_active"])
    assert last(Kind.ACCOUNT_CHANGE).detail == "状态：启用 → 停用"


def test_a_login_updates_no_account_event(client, officer1):
    """G2: the last-login stamp a login writes is not an account change."""
    before = SecurityEvent.objects.count()
    log_in(client, "officer1")
    assert [e.event for e in SecurityEvent.objects.order_by("id")[before:]] == [Kind.LOGIN]


# ---------------------------------------------------------------- downloads, exports, admin changes


def test_a_file_download_is_recorded_with_its_name(client, officer1):
    """G2: every file download: the account, its address and the file."""
    application = ApplicationFactory(station=officer1.station)
    material = lifecycle.application_add_material(
        application=application, by=officer1, title="申请书", file=SimpleUploadedFile("计量授权申请书.pdf", pdf_bytes())
    )
    client.force_login(officer1)
    url = reverse("portal:application_material_download", args=[application.pk, material.pk])
    assert client.get(url, REMOTE_ADDR="10.4.4.4").status_code == 200
    download = last(Kind.DOWNLOAD)
    assert (download.account, download.address, download.target, download.path) == (
        "officer1",
        "10.4.4.4",
        "计量授权申请书.pdf",
        url,
    )


def test_a_refused_download_records_no_download(client, officer1, officer2):
    """G2: only files that actually left are downloads; another station's file is a 404."""
    application = ApplicationFactory(station=officer1.station)
    material = lifecycle.application_add_material(
        application=application, by=officer1, title="申请书", file=SimpleUploadedFile("a.pdf", pdf_bytes())
    )
    client.force_login(officer2)
    assert (
        client.get(reverse("portal:application_material_download", args=[application.pk, material.pk])).status_code
        == 404
    )
    assert not events(Kind.DOWNLOAD)


def test_an_admin_change_is_recorded_with_what_changed(client, bureau):
    """G2: every admin change: the staff member, the object and Django's own description of the change."""
    station = StationFactory(name="新郑市计量测试所")
    client.force_login(bureau)
    url = reverse("admin:authorizations_user_add")
    data = {
        "username": "newofficer",
        "password1": "Zz-first-pass-2026",
        "password2": "Zz-first-pass-2026",
        "role": Role.OFFICER,
        "station": station.pk,
        "last_name": "王",
        "first_name": "五",
        "email": "",
    }
    assert client.post(url, data, REMOTE_ADDR="10.6.6.6").status_code == 302
    created = last(Kind.ACCOUNT_CREATE)
    assert (created.account, created.target) == ("bureau", "用户：王五")  # an account reads as its holder's name
    assert created.detail == "计量信息员，新郑市计量测试所，启用"
    added = last(Kind.ADMIN_ADD)
    assert (added.account, added.address, added.target) == ("bureau", "10.6.6.6", "用户：王五")


def test_an_admin_bulk_action_without_a_log_entry_is_recorded(client, bureau, officer1, settings):
    """G2: a changelist action (here: lifting a lockout) is an admin change too."""
    from authorizations.models import LoginLockout

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "officer1", password="Wrong-guess-123", ip="10.5.5.5")
    lock = LoginLockout.objects.get(username="officer1")
    client.force_login(bureau)
    response = client.post(
        reverse("admin:authorizations_loginlockout_changelist"),
        {"action": "unlock", "_selected_action": [lock.pk]},
        REMOTE_ADDR="10.6.6.6",
    )
    assert response.status_code == 302
    action = last(Kind.ADMIN_ACTION)
    assert (action.account, action.address, action.target) == ("bureau", "10.6.6.6", "登录失败与锁定：1条记录")
    assert action.detail == f"解除锁定（编号：{lock.pk}）"


def test_a_lifecycle_button_in_the_admin_is_recorded_with_its_label(client, bureau):
    """G2 (and A12's buttons): a transition writes no LogEntry, yet is an admin change with its object."""
    from authorizations.tests.factories import CertificateFactory

    certificate = CertificateFactory()
    client.force_login(bureau)
    url = reverse("admin:authorizations_certificate_transition", args=[certificate.pk, "suspend"])
    today = beijing_today()
    data = {
        "starts_on": today,
        "planned_end_on": today + dt.timedelta(days=30),
        "reason": "监督检查发现问题",
        "_confirmed": "确认暂停授权",
    }
    assert client.post(url, data, REMOTE_ADDR="10.6.6.6").status_code == 302
    action = last(Kind.ADMIN_ACTION)
    assert (action.account, action.address, action.detail) == ("bureau", "10.6.6.6", "办理：暂停授权")
    assert action.target == f"计量授权证书：{certificate}"


def test_a_write_the_admin_refuses_is_recorded_as_refused(client, manager, officer1):
    """G2: a read-only manager's attempt to change an account is refused, and the attempt is on record."""
    client.force_login(manager)
    url = reverse("admin:authorizations_user_change", args=[officer1.pk])
    assert client.post(url, {"username": "renamed"}, REMOTE_ADDR="10.6.6.6").status_code == 403
    attempt = last(Kind.ADMIN_ACTION)
    assert (attempt.account, attempt.address, attempt.result, attempt.target) == (
        "manager",
        "10.6.6.6",
        "拒绝",
        "用户：officer1",
    )
    client.logout()
    assert client.post(url, {"username": "renamed"}).status_code == 302  # to the admin login: no admin change at all
    assert len(events(Kind.ADMIN_ACTION)) == 1


# ---------------------------------------------------------------- the admin page


def test_bureau_staff_and_managers_read_filter_and_export_the_log_but_nobody_changes_it(client, bureau, manager):
    """G2: a page in the admin where staff filter and export; read-only for everyone; the export is itself audited."""
    failure = SecurityEvent.objects.create(
        event=Kind.LOGIN_FAILED, account="zhangsan", address="10.8.8.8", result="失败"
    )
    SecurityEvent.objects.create(event=Kind.DOWNLOAD, account="lisi", address="10.9.9.9", target="证书.pdf")
    changelist = reverse("admin:zzmetro_securityevent_changelist")
    for user in (bureau, manager):
        client.force_login(user)
        page = client.get(changelist, {"event": Kind.LOGIN_FAILED})
        text = page.content.decode()
        assert page.status_code == 200 and "安全审计日志" in text and "zhangsan" in text and "lisi" not in text
        assert "登录失败" in text and "login_failed</td>" not in text
        assert "10.8.8.8" in client.get(changelist, {"q": "10.8.8"}).content.decode()
        assert client.get(reverse("admin:zzmetro_securityevent_add")).status_code == 403
        detail = client.get(reverse("admin:zzmetro_securityevent_change", args=[failure.pk])).content.decode()
        assert 'name="_save"' not in detail and "zhangsan" in detail
        assert (
            client.post(reverse("admin:zzmetro_securityevent_delete", args=[failure.pk]), {"post": "yes"}).status_code
            == 403
        )

        response = client.post(changelist, {"action": "export_xlsx", "_selected_action": [failure.pk], "index": 0})
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
        assert "zhangsan" in sheet and "登录失败" in sheet and "lisi" not in sheet
        export = last(Kind.EXPORT)
        assert export.account == user.username and export.target.startswith("安全审计日志-")
    assert SecurityEvent.objects.get(pk=failure.pk).result == "失败"


def test_a_security_event_reads_in_chinese():
    """G2: a readable record, with the event's name and not its code."""
    row = SecurityEvent.objects.create(
        at=dt.datetime(2026, 11, 30, 1, 2, 3, tzinfo=dt.timezone.utc),
        event=Kind.LOCKOUT,
        account="officer1",
        result="已锁定",
    )
    assert str(row) == "2026-11-30 09:02:03 officer1 登录锁定（已锁定）"
