"""Reminder jobs: the 3rd-of-month job (M3) and the December-10 job (P2), idempotent by a unique constraint."""

import datetime as dt
import io
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction

from authorizations.services.common import station_recipients
from authorizations.tests.factories import StationFactory
from reporting.models import AnnualPlan, ReminderLog
from reporting.services import plans as plan_services
from reporting.services import reminders
from reporting.services.reports import LineInput, monthly_submit

from .factories import authorize, make_items, submit

pytestmark = pytest.mark.django_db
NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture
def world(officer1, officer2, freeze, settings):
    """A submits November on time; B does not; C is authorized only from 5 December; D was revoked in October."""
    settings.BUREAU_EMAIL = ["jlc@zz.example"]
    freeze("2026-12-01 07:00:00+08:00")
    a, b = officer1.station, officer2.station
    authorize(a)
    authorize(b, items=make_items("SB", 1))
    c, d = StationFactory(), StationFactory()
    authorize(c, valid_from=dt.date(2026, 12, 5), items=make_items("RQ", 1))
    authorize(d, items=make_items("JY", 1), revoked=True, revoked_on=dt.date(2026, 10, 1))
    submit(a, NOVEMBER, by=officer1)
    return {"a": a, "b": b, "c": c, "d": d}


def recipients_of(messages):
    return [sorted(m.to) for m in messages]


@pytest.mark.parametrize(
    ("day", "stage"), [("2026-12-01", "first"), ("2026-12-03", "last_day"), ("2026-12-04", "overdue")]
)
def test_monthly_job_emails_exactly_the_stations_that_have_not_submitted(world, freeze, day, stage):
    """M3: on the 1st, 3rd and 4th only stations expected for last month and without a report are reminded."""
    freeze(f"{day} 08:00:00+08:00")
    result = reminders.run_job(kind="monthly", day=dt.date.fromisoformat(day))
    assert result == {"pending": 1, "sent": 1, "failed": 0}
    assert recipients_of(mail.outbox) == [station_recipients(world["b"])]
    message = mail.outbox[0]
    assert world["b"].name in message.subject and "2026年11月月度报表" in message.subject
    assert "截止日为2026年12月3日" in message.body or "截止日（2026年12月3日）" in message.body
    assert "/portal/reporting/monthly/2026/11/" in message.body
    assert message.cc == (["jlc@zz.example"] if stage == "overdue" else [])
    assert ReminderLog.objects.get().stage == stage


def test_running_a_job_twice_sends_nothing_twice(world, freeze):
    """M3: a second run (or a worker's retry) never sends the same reminder twice."""
    freeze("2026-12-03 08:00:00+08:00")
    reminders.run_job(kind="monthly", day=dt.date(2026, 12, 3))
    assert reminders.run_job(kind="monthly", day=dt.date(2026, 12, 3)) == {"pending": 0, "sent": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_the_unique_constraint_refuses_a_second_row_for_the_same_reminder(world):
    """M3: the database, not a check-then-insert, decides whether a reminder exists."""
    row = {
        "station": world["b"],
        "kind": "monthly",
        "period": NOVEMBER,
        "stage": "first",
        "due_on": dt.date(2026, 12, 3),
    }
    ReminderLog.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderLog.objects.create(**row)


def test_a_station_that_submits_after_the_first_reminder_gets_no_more(world, freeze, officer2):
    """M3: nobody who has submitted gets a reminder."""
    reminders.run_job(kind="monthly", day=dt.date(2026, 12, 1))
    freeze("2026-12-02 15:00:00+08:00")
    submit(world["b"], NOVEMBER, by=officer2)
    freeze("2026-12-03 08:00:00+08:00")
    assert reminders.run_job(kind="monthly", day=dt.date(2026, 12, 3))["pending"] == 0
    assert len(mail.outbox) == 1


def test_a_reminder_still_pending_when_the_station_submits_is_never_sent(world, freeze, officer2):
    """M3: a retried or late send checks again under its row lock; a station that has submitted gets nothing."""
    freeze("2026-12-04 08:00:00+08:00")
    [pending] = reminders.reminders_prepare(kind="monthly", day=dt.date(2026, 12, 4))
    submit(world["b"], NOVEMBER, by=officer2)
    assert reminders.reminder_send(reminder_id=pending) is None
    assert ReminderLog.objects.get(pk=pending).status == ReminderLog.Status.SKIPPED
    assert mail.outbox == []


def test_days_that_are_not_job_days_send_nothing(world):
    for day in (dt.date(2026, 12, 2), dt.date(2026, 12, 5), dt.date(2026, 11, 30)):
        assert reminders.run_job(kind="monthly", day=day)["pending"] == 0
    assert mail.outbox == []


# Mail-server outages (refused, silent) and the retries that follow are tested over real sockets in
# zzmetro/tests/test_outbox.py: a reminder is handed to the outbox, which delivers it once, whenever the server is back.


@pytest.fixture
def plan_world(officer1, officer2, freeze, settings, bureau):
    """A has submitted its 2027 plan (then it was returned); B has only a draft; C has none."""
    settings.BUREAU_EMAIL = ["jlc@zz.example"]
    freeze("2026-11-25 10:00:00+08:00")
    a, b, c = officer1.station, officer2.station, StationFactory()
    for station in (a, b, c):
        authorize(station, items=make_items(f"P{station.pk}", 1))
    for station, officer in ((a, officer1), (b, officer2)):
        item = plan_services.plannable_items(station)[0]
        plan_services.plan_save(station=station, year=2027, lines=[plan_services.PlanLineInput(item, 10)], by=officer)
    plan_services.plan_return(
        plan=plan_services.plan_submit(plan=AnnualPlan.objects.get(station=a), by=officer1), by=bureau, reason="改"
    )
    mail.outbox.clear()
    return {"a": a, "b": b, "c": c}


@pytest.mark.parametrize(
    ("day", "stage"), [("2026-12-01", "first"), ("2026-12-08", "last_day"), ("2026-12-11", "overdue")]
)
def test_december_job_emails_stations_without_a_submitted_plan(plan_world, freeze, day, stage):
    """P2: on 1, 8 and 11 December (overdue copies bureau staff) stations without a submitted plan."""
    freeze(f"{day} 08:00:00+08:00")
    reminders.run_job(kind="plan", day=dt.date.fromisoformat(day))
    assert sorted(recipients_of(mail.outbox)) == sorted(
        [station_recipients(plan_world["b"]), station_recipients(plan_world["c"])]
    )
    assert all("2027年度强制检定计划" in m.subject and "2026年12月10日" in m.body for m in mail.outbox)
    assert all(m.cc == (["jlc@zz.example"] if stage == "overdue" else []) for m in mail.outbox)
    assert reminders.run_job(kind="plan", day=dt.date.fromisoformat(day))["pending"] == 0


def test_december_job_runs_only_on_its_three_days(plan_world):
    for day in (dt.date(2026, 12, 2), dt.date(2026, 12, 10), dt.date(2026, 11, 1)):
        assert reminders.run_job(kind="plan", day=day)["pending"] == 0


def test_beat_schedule_fires_on_the_job_days_in_beijing_time():
    """M3, P2, T1: the beat entries match the job days the services act on."""
    from zzmetro.celery import app

    monthly = app.conf.beat_schedule["reporting-monthly-reminders"]["schedule"]
    plan = app.conf.beat_schedule["reporting-plan-reminders"]["schedule"]
    assert monthly.day_of_month == set(reminders.MONTHLY_DAYS) and monthly.hour == {8}
    assert plan.day_of_month == {d for _, d in reminders.PLAN_DAYS} and plan.month_of_year == {12}
    assert app.conf.timezone == "Asia/Shanghai"


def test_run_reminders_command_acts_as_the_given_date(world):
    """The demo without a broker: `manage.py run_reminders --date 2026-12-03`."""
    out = io.StringIO()
    call_command("run_reminders", "--date", "2026-12-03", stdout=out)
    assert "月报催报" in out.getvalue() and "已发送1封" in out.getvalue()
    call_command("run_reminders", "--date", "2026-12-03", stdout=out)
    assert len(mail.outbox) == 1


@pytest.mark.celery_worker
def test_job_runs_through_a_real_celery_worker_on_redis_and_sends_the_email(
    celery_redis_worker, officer1, officer2, settings
):
    """M3: the 3rd-of-month job through a real worker; the e-mail it sent is read back."""
    from reporting.tasks import monthly_reminders

    settings.BUREAU_EMAIL = ["jlc@zz.example"]
    a, b = officer1.station, officer2.station
    authorize(a)
    authorize(b, items=make_items("SB", 1))
    from reporting.selectors.reports import month_authority

    lines = [LineInput(n, i.code, 1, 1, 0, 0) for n, i in enumerate(month_authority(a, NOVEMBER).items, start=1)]
    monthly_submit(
        station=a, period=NOVEMBER, lines=lines, by=officer1, at=dt.datetime(2026, 12, 2, 9, tzinfo=dt.timezone.utc)
    )
    assert monthly_reminders.delay("2026-12-03").get(timeout=30) == 1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not ReminderLog.objects.filter(status="sent").exists():
        time.sleep(0.2)
    reminder = ReminderLog.objects.get()
    assert reminder.status == "sent" and reminder.station == b
    assert recipients_of(mail.outbox) == [station_recipients(b)]
    assert "2026年11月月度报表" in mail.outbox[0].subject and "今天是报送截止日" in mail.outbox[0].body
    assert monthly_reminders.delay("2026-12-03").get(timeout=30) == 0
