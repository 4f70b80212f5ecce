"""Outages lose nothing and break no page (DOMAIN M3, M7, I5, P1): the mail outbox and the broker, over real sockets.

The mail server and the broker here are real peers on 127.0.0.1 — a closed port (connection refused), a server that
accepts and never answers, and a real SMTP server (aiosmtpd) started on the port that was closed.
"""

import contextlib
import datetime as dt
import email
import email.policy
import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from authorizations.tests.factories import StationFactory
from conftest import forget_celery_connections
from reporting.models import ImportJob, MajorIssueReport, ReminderLog
from reporting.services import reminders
from reporting.tests.factories import authorize, make_items
from zzmetro import outbox
from zzmetro.models import OutboxMessage
from zzmetro.tests.netpeers import free_port, silent_server, smtp_server

S = OutboxMessage.Status


@pytest.fixture
def smtp_port(settings):
    """Mail goes out by real SMTP to 127.0.0.1:<port>, where nothing listens until a test starts a server."""
    port = free_port()
    settings.OUTBOX_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return port


@pytest.fixture(params=["refused", "silent"])
def broker_down(request):
    """Celery publishes (eager mode off, as in production) to a Redis port that is closed, or that never answers."""
    from zzmetro.celery import app

    with contextlib.ExitStack() as stack:
        port = free_port() if request.param == "refused" else stack.enter_context(silent_server())
        saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
        url = f"redis://127.0.0.1:{port}/0"
        app.conf.update(task_always_eager=False, broker_url=url)
        forget_celery_connections(app)
        yield url
        app.conf.update(saved)
        forget_celery_connections(app)


def due_now():
    """The outbox's back-off has passed (the mail server has been back for a while)."""
    OutboxMessage.objects.filter(status=S.PENDING).update(next_attempt_at=timezone.now())


def test_a_notice_waits_while_the_mail_server_is_refused_and_is_delivered_once_it_is_back(
    db, smtp_port, django_capture_on_commit_callbacks
):
    """M3: a mail server that refuses connections delays the notice, never loses it, never sends it twice."""
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_mail("【郑州计量授权】测试通知", "正文", ["station@zz.example"])
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (S.PENDING, 1) and "Connection" in row.last_error
    assert row.next_attempt_at > timezone.now()  # backed off, not hammered
    with smtp_server(smtp_port) as received:
        assert outbox.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
        due_now()
        assert outbox.deliver_due()["sent"] == 1
        due_now()
        assert outbox.deliver_due()["sent"] == 0
    assert [m.rcpt_tos for m in received] == [["station@zz.example"]]
    assert OutboxMessage.objects.get().status == S.SENT


def test_a_mail_server_that_accepts_and_never_answers_holds_nobody_for_long(transactional_db, settings, freeze):
    """M3: a silent server times out within EMAIL_TIMEOUT, the mail stays queued, and no reminder row stays locked."""
    freeze("2026-12-01 08:00:00+08:00")
    station = StationFactory(email="b@zz.example")
    authorize(station, items=make_items("SB", 1))
    with silent_server() as port:
        settings.OUTBOX_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        result = {}

        def run():
            result.update(reminders.run_job(kind="monthly", day=dt.date(2026, 12, 1)))
            connection.close()  # this thread's own connection

        runner = threading.Thread(target=run)
        started = time.monotonic()
        runner.start()
        time.sleep(0.5)  # the run is now waiting on the silent server
        with transaction.atomic():  # meanwhile another run can take every reminder row: no lock is held on them
            assert ReminderLog.objects.select_for_update(nowait=True).count() == 1
        runner.join(20)
        assert not runner.is_alive() and time.monotonic() - started < 10
    assert result == {"pending": 1, "sent": 0, "failed": 1}
    assert ReminderLog.objects.get().status == ReminderLog.Status.SENT  # handed to the outbox, where it waits
    row = OutboxMessage.objects.get()
    assert row.status == S.PENDING and "timed out" in row.last_error


@pytest.mark.parametrize("stations", [9])
def test_reminders_for_every_station_are_queued_when_the_mail_server_is_down_and_each_goes_out_once(
    db, smtp_port, freeze, stations
):
    """M3: the first failure does not stop the job; a later run does not remind twice; each station gets one mail."""
    freeze("2026-12-01 08:00:00+08:00")
    for n in range(stations):
        authorize(StationFactory(email=f"s{n}@zz.example"), items=make_items(f"R{n}", 1))
    assert reminders.run_job(kind="monthly", day=dt.date(2026, 12, 1)) == {
        "pending": stations,
        "sent": 0,
        "failed": stations,
    }
    assert OutboxMessage.objects.filter(status=S.PENDING).count() == stations
    freeze("2026-12-02 08:00:00+08:00")
    with smtp_server(smtp_port) as received:
        due_now()
        assert outbox.deliver_due()["sent"] == stations
        assert reminders.run_job(kind="monthly", day=dt.date(2026, 12, 1))["pending"] == 0
        due_now()
        assert outbox.deliver_due()["sent"] == 0
    assert sorted(r for m in received for r in m.rcpt_tos) == sorted(f"s{n}@zz.example" for n in range(stations))


def test_a_reminder_still_waiting_for_the_mail_server_is_superseded_by_the_next_stage(db, smtp_port, freeze):
    """M3: 1 December's reminder never got through; on 3 December the station gets the last-day one only."""
    freeze("2026-12-01 08:00:00+08:00")
    authorize(StationFactory(email="b@zz.example"), items=make_items("SB", 1))
    reminders.run_job(kind="monthly", day=dt.date(2026, 12, 1))
    freeze("2026-12-03 08:00:00+08:00")
    with smtp_server(smtp_port) as received:
        reminders.run_job(kind="monthly", day=dt.date(2026, 12, 3))
        due_now()
        outbox.deliver_due()
    assert len(received) == 1 and "今天是报送截止日" in read(received[0])[1]
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == [S.CANCELLED, S.SENT]


def test_a_reminder_waiting_in_the_outbox_is_withdrawn_when_the_station_submits(db, smtp_port, freeze, officer2):
    """M3: nobody who has submitted gets a reminder, even one queued before the submission."""
    from reporting.tests.factories import submit

    freeze("2026-12-01 08:00:00+08:00")
    station = officer2.station
    authorize(station, items=make_items("SB", 1))
    reminders.run_job(kind="monthly", day=dt.date(2026, 12, 1))
    submit(station, dt.date(2026, 11, 1), by=officer2)
    with smtp_server(smtp_port) as received:
        due_now()
        outbox.deliver_due()
    assert received == [] and OutboxMessage.objects.get().status == S.CANCELLED


def test_a_major_issue_report_is_saved_once_and_answered_at_once_with_broker_and_mail_server_down(
    db, client, officer1, smtp_port, broker_down, django_capture_on_commit_callbacks, settings
):
    """M7: neither outage fails the officer's report; bureau staff get the mail once the server is back."""
    settings.BUREAU_EMAIL = ["jlc@zz.example"]
    client.force_login(officer1)
    data = {"title": "检定装置损坏", "occurred_on": "2026-11-20", "description": "雷击损坏", "measures": ""}
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:major_issue_create"), data)
    assert time.monotonic() - started < 5
    assert response.status_code == 302 and MajorIssueReport.objects.count() == 1
    with smtp_server(smtp_port) as received:
        outbox.deliver_due()
    assert [m.rcpt_tos for m in received] == [["jlc@zz.example"]]
    subject, body = read(received[0])
    assert "检定装置损坏" in subject and "雷击损坏" in body


def test_filing_a_complaint_with_the_mail_server_down_answers_normally_and_the_notice_follows(
    db, client, officer1, smtp_port, django_capture_on_commit_callbacks, settings
):
    """I5: the complaint is recorded once; the bureau's notice waits in the outbox and is delivered later."""
    from inspections.models import Complaint

    settings.BUREAU_EMAIL = ["jlc@zz.example"]
    client.force_login(officer1)
    data = {
        "received_on": "2026-11-20",
        "complainant": "张先生",
        "subject": "水表计量不准",
        "description": "读数偏快",
        "contact": "",
    }
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("supervision:complaint_create"), data)
    assert time.monotonic() - started < 5
    assert response.status_code == 302 and Complaint.objects.count() == 1
    assert OutboxMessage.objects.get().status == S.PENDING
    with smtp_server(smtp_port) as received:
        due_now()
        outbox.deliver_due()
    assert [m.rcpt_tos for m in received] == [["jlc@zz.example"]]


def test_returning_a_plan_in_the_admin_with_the_mail_server_down_keeps_the_return_and_the_notice(
    db, admin_client_bureau, officer1, smtp_port, django_capture_on_commit_callbacks
):
    """P1: the bureau's 退回修改 is saved and answered; the station's notice is delivered when the server is back."""
    from reporting.models import AnnualPlan
    from reporting.services import plans

    station = officer1.station
    authorize(station, items=make_items("PL", 1))
    item = plans.plannable_items(station)[0]
    plan = plans.plan_save(station=station, year=2027, lines=[plans.PlanLineInput(item, 10)], by=officer1)
    plan = plans.plan_submit(plan=plan, by=officer1)
    url = reverse("admin:reporting_annualplan_transition", args=[plan.pk, "return"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_bureau.post(
            url, {"reason": "请补充使用单位", "_confirmed": "1"}
        )  # the confirmation page's button
    assert response.status_code == 302
    assert AnnualPlan.objects.get().status == AnnualPlan.Status.RETURNED
    with smtp_server(smtp_port) as received:
        due_now()
        outbox.deliver_due()
    assert len(received) == 1 and officer1.email in received[0].rcpt_tos


def test_an_archive_import_uploaded_while_the_broker_is_down_waits_and_runs_when_it_is_back(
    db, client, officer1, broker_down, django_capture_on_commit_callbacks
):
    """M1: the upload is answered at once and kept; the sweep queues it once the broker answers again."""
    from reporting.services.archive_import import FIELDS
    from reporting.tasks import archive_import_sweep
    from zzmetro.celery import app
    from zzmetro.spreadsheets import template_workbook

    client.force_login(officer1)
    workbook = template_workbook(FIELDS, title="导入")
    started = time.monotonic()
    response = client.post(reverse("archive:import_create"), {"file": _upload(workbook)})
    assert time.monotonic() - started < 5
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.PENDING
    app.conf.task_always_eager = True  # the broker is back: the task runs (in-process here)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    assert archive_import_sweep() == 1
    job.refresh_from_db()
    assert job.status in ImportJob.FINISHED


def test_an_import_whose_worker_died_is_declared_failed_and_the_officer_is_told_to_upload_again(
    db, client, officer1, settings
):
    """M1: a running job that stopped reporting progress is failed after the timeout; the page stops spinning."""
    settings.IMPORT_STALE_AFTER_SECONDS = 600
    stale = ImportJob.objects.create(
        station=officer1.station,
        created_by=officer1,
        filename="a.xlsx",
        upload=b"x",
        status=ImportJob.Status.RUNNING,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=601),
    )
    alive = ImportJob.objects.create(
        station=officer1.station,
        created_by=officer1,
        filename="b.xlsx",
        upload=b"x",
        status=ImportJob.Status.RUNNING,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=590),
    )
    client.force_login(officer1)
    answer = client.get(reverse("archive:import_status", args=[stale.pk])).json()
    assert answer["finished"] is True and answer["status"] == "failed" and "重新上传" in answer["message"]
    alive.refresh_from_db()
    assert alive.status == ImportJob.Status.RUNNING


def test_staff_resend_a_failed_mail_and_a_sent_one_is_never_resent(
    db, admin_client_bureau, django_capture_on_commit_callbacks
):
    """M3: undelivered mail is visible in the admin; resending puts only failed or cancelled mail back."""
    failed = OutboxMessage.objects.create(subject="失败", body="x", to=["a@zz.example"], status=S.FAILED, attempts=30)
    sent = OutboxMessage.objects.create(subject="已发", body="x", to=["b@zz.example"], status=S.SENT)
    changelist = reverse("admin:zzmetro_outboxmessage_changelist")
    assert "失败" in admin_client_bureau.get(changelist + "?status=failed").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_bureau.post(changelist, {"action": "resend", "_selected_action": [failed.pk, sent.pk]})
    failed.refresh_from_db()
    assert failed.status == S.SENT and [m.to for m in mail.outbox] == [["a@zz.example"]]


def test_every_mail_the_portal_sends_goes_through_the_outbox(db, settings, django_capture_on_commit_callbacks):
    """M3: Django's own mail API (password reset, send_mail) is queued too: EMAIL_BACKEND is the outbox."""
    from django.conf import settings as live
    from django.core.mail import send_mail

    assert live.EMAIL_BACKEND == "zzmetro.outbox.OutboxBackend"
    with transaction.atomic():
        send_mail("主题", "正文", None, ["x@zz.example"])
        assert OutboxMessage.objects.filter(status=S.PENDING).count() == 1 and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        outbox.kick()
    assert [m.to for m in mail.outbox] == [["x@zz.example"]]


def test_a_rolled_back_change_sends_no_mail(db, django_capture_on_commit_callbacks):
    """A12: a notice is part of the change that causes it; a rollback takes it back."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue_mail("主题", "正文", ["x@zz.example"])
        raise RuntimeError
    assert not OutboxMessage.objects.exists() and mail.outbox == []


def read(envelope) -> tuple[str, str]:
    """Subject and text of a message as the SMTP server received it."""
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return str(message["subject"]), message.get_body(("plain",)).get_content()


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "档案.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_deliver_mail_command_sends_what_waits(db):
    """M3: without a broker (the demo) the waiting mails go out by hand, each once."""
    import io

    from django.core.management import call_command

    OutboxMessage.objects.create(subject="待发", body="x", to=["a@zz.example"])
    out = io.StringIO()
    call_command("deliver_mail", stdout=out)
    call_command("deliver_mail", stdout=out)
    assert "已发送1封" in out.getvalue() and [m.to for m in mail.outbox] == [["a@zz.example"]]
