"""Reminder jobs: the 3rd-of-month job (M3) and the December-10 job (P2).

Only stations that have not submitted are reminded. Idempotency is the database's job: a ReminderLog row per
(station, kind, period, stage) under a unique constraint is inserted first (pending); under its row lock the
e-mail is then written to the outbox and the row marked sent, in one transaction. A second run inserts nothing
and finds nothing pending. Delivery is the outbox's job (zzmetro/outbox.py): a mail server that is down or silent
delays the mail, never loses it, and no lock is held while talking to it. Every run retries any reminder still
pending from an earlier day; a later stage for the same period supersedes an earlier one that was never queued or
is still waiting in the outbox, and a station that submits withdraws its waiting reminders.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from authorizations.models import Certificate, Station
from authorizations.services.common import station_recipients
from reporting.deadlines import month_label, monthly_due_on, plan_due_on, previous_month
from reporting.models import AnnualPlan, MonthlyReport, ReminderLog
from reporting.selectors.reports import expected_station_ids, submitted_station_ids
from zzmetro import outbox

from .common import sign_off
from .reports import reports_open_month

K, S = ReminderLog.Kind, ReminderLog.Stage

# The job days (Beijing calendar; the beat schedule in zzmetro/celery.py fires on exactly these days).
MONTHLY_DAYS = {1: S.FIRST, 3: S.LAST_DAY, 4: S.OVERDUE}  # M3: day of month M+1
PLAN_DAYS = {(12, 1): S.FIRST, (12, 8): S.LAST_DAY, (12, 11): S.OVERDUE}  # P2


@dataclass(frozen=True)
class Job:
    kind: str
    stage: str
    period: dt.date
    due_on: dt.date
    station_ids: set[int]


def monthly_job(day: dt.date) -> Job | None:
    """M3: on the 1st, 3rd and 4th, stations expected for last month that have not submitted it."""
    stage = MONTHLY_DAYS.get(day.day)
    if stage is None:
        return None
    period = previous_month(day)
    reports_open_month(period)
    targets = expected_station_ids(period) - submitted_station_ids(period)
    return Job(K.MONTHLY, stage, period, monthly_due_on(period), targets)


def plan_job(day: dt.date) -> Job | None:
    """P2: on 1, 8 and 11 December, authorized stations without a submitted plan for next year."""
    stage = PLAN_DAYS.get((day.month, day.day))
    if stage is None:
        return None
    year = day.year + 1
    authorized = set(Certificate.objects.current_on(day).values_list("station_id", flat=True))
    submitted = set(
        AnnualPlan.objects.filter(year=year, first_submitted_at__isnull=False).values_list("station_id", flat=True)
    )
    return Job(K.PLAN, stage, dt.date(year, 1, 1), plan_due_on(year), authorized - submitted)


JOBS = {K.MONTHLY: monthly_job, K.PLAN: plan_job}


@transaction.atomic
def reminders_prepare(*, kind: str, day: dt.date) -> list[int]:
    """Insert the job's reminder rows (the unique constraint drops any already there); return every pending one.

    Pending rows of earlier days are returned too (a run that died before queueing them): any later run retries them.
    """
    job = JOBS[kind](day)
    if job is None:
        return []
    ReminderLog.objects.bulk_create(
        [
            ReminderLog(station_id=sid, kind=job.kind, period=job.period, stage=job.stage, due_on=job.due_on)
            for sid in job.station_ids
        ],
        ignore_conflicts=True,
    )
    pending = ReminderLog.objects.filter(kind=job.kind, status=ReminderLog.Status.PENDING)
    return list(pending.order_by("id").values_list("id", flat=True))


STAGE_ORDER = [S.FIRST, S.LAST_DAY, S.OVERDUE]


def reminder_send(*, reminder_id: int) -> outbox.OutboxMessage | None:
    """Queue one pending reminder's e-mail under its row lock; the outbox row, or None if nothing is to be sent."""
    with transaction.atomic():
        reminder = ReminderLog.objects.select_for_update().select_related("station").filter(pk=reminder_id).first()
        if reminder is None or reminder.status != ReminderLog.Status.PENDING:
            return None
        if already_submitted(reminder) or superseded(reminder):  # M3: nobody who has submitted is reminded
            reminder.status = ReminderLog.Status.SKIPPED
            reminder.save(update_fields=["status"])
            return None
        topic = ReminderLog.topic_for(reminder.kind, reminder.station_id, reminder.period)
        outbox.cancel(topic=topic)  # an earlier stage still waiting for the mail server is superseded by this one
        message = outbox.queue(reminder_message(reminder), topic=topic)
        reminder.status, reminder.sent_at, reminder.last_error = ReminderLog.Status.SENT, timezone.now(), ""
        reminder.attempts += 1
        reminder.recipients = ", ".join(message.to + message.cc)
        reminder.save()
    return message


def superseded(reminder: ReminderLog) -> bool:
    """A later stage of the same station and period exists: only the newest reminder is worth sending."""
    later = STAGE_ORDER[STAGE_ORDER.index(reminder.stage) + 1 :]
    same = ReminderLog.objects.filter(station_id=reminder.station_id, kind=reminder.kind, period=reminder.period)
    return same.filter(Q(stage__in=later)).exists()


def already_submitted(reminder: ReminderLog) -> bool:
    """Whether the station submitted between the job picking it and the mail going out."""
    if reminder.kind == K.MONTHLY:
        reports = MonthlyReport.objects.filter(station_id=reminder.station_id, period=reminder.period)
        return reports.filter(first_submitted_at__isnull=False).exists()
    plans = AnnualPlan.objects.filter(station_id=reminder.station_id, year=reminder.period.year)
    return plans.filter(first_submitted_at__isnull=False).exists()


def reminder_message(reminder: ReminderLog) -> EmailMessage:
    """The Chinese e-mail: station, period, due day, link; overdue ones copy bureau staff (M3, P2)."""
    station: Station = reminder.station
    if reminder.kind == K.MONTHLY:
        what = f"{month_label(reminder.period)}月度报表"
        path = reverse("reporting:monthly_form", args=[reminder.period.year, reminder.period.month])
        rule = "月报应于每月3日前报送上月情况"
    else:
        what = f"{reminder.period.year}年度强制检定计划"
        path = reverse("reporting:plan_edit", args=[reminder.period.year])
        rule = "下一年度强检计划应于每年12月10日前报送"
    due = f"{reminder.due_on.year}年{reminder.due_on.month}月{reminder.due_on.day}日"
    if reminder.stage == S.OVERDUE:
        subject = f"【逾期未报】{station.name} {what}"
        body = f"贵单位{what}已超过报送截止日（{due}），至今尚未报送，请立即报送。本提醒已抄送市局计量处。"
    else:
        subject = f"【报送提醒】{station.name} {what}"
        last = "今天是报送截止日" if reminder.stage == S.LAST_DAY and reminder.kind == K.MONTHLY else "报送截止日临近"
        body = f"贵单位{what}尚未报送。{last}，截止日为{due}（含当日，北京时间24时前）。"
    body += f"\n依据：《关于加强郑州市计量授权监督管理工作的方案》（郑质监量发〔2015〕8号）第四条，{rule}。"
    cc = list(settings.BUREAU_EMAIL) if reminder.stage == S.OVERDUE else []
    recipients = station_recipients(station) or list(settings.BUREAU_EMAIL)
    return EmailMessage(
        f"【郑州计量授权】{subject}", sign_off(station.name, body, settings.SITE_URL + path), None, recipients, cc=cc
    )


def run_job(*, kind: str, day: dt.date) -> dict:
    """The whole job: queue each pending reminder, then deliver what is due (no database lock held meanwhile).

    `sent` counts reminders whose mail went out now; `failed` those queued whose mail server could not be reached
    yet — they stay in the outbox and are delivered once it is back.
    """
    ids = reminders_prepare(kind=kind, day=day)
    queued = [message.pk for reminder_id in ids if (message := reminder_send(reminder_id=reminder_id))]
    sent = outbox.deliver_due(ids=queued)["sent"]
    return {"pending": len(ids), "sent": sent, "failed": len(queued) - sent}
