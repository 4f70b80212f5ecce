"""Every outgoing e-mail goes through the outbox (DOMAIN M3: never lost, never twice).

`EMAIL_BACKEND` is `OutboxBackend`: Django's ordinary mail API (send_mail, EmailMessage.send, the password-reset
form) writes a row in the caller's transaction instead of talking to a mail server. After the transaction commits
the delivery task is queued; it claims each due row with one conditional UPDATE (so two workers never send the
same row), talks to the real transport (`OUTBOX_EMAIL_BACKEND`) with a short timeout and no database lock held,
and marks the row sent, or schedules the next attempt with back-off. When the broker is down the rows simply wait:
the periodic task (beat, every minute) or the next commit picks them up.

The one window left is a crash after the mail server accepted a message and before the row was marked sent: the
message is then sent again once its lease runs out — at least once, never lost.
"""

import datetime as dt
import logging
import smtplib
import socket
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zzmetro.models import OutboxMessage

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status

# A claimed row is not due again before this; it must outlast any single delivery attempt.
LEASE = dt.timedelta(minutes=10)
# Errors that mean the mail server cannot be reached at all: stop the batch and leave the rest waiting.
UNREACHABLE = (ConnectionError, TimeoutError, socket.gaierror, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


class OutboxBackend(BaseEmailBackend):
    """Django e-mail backend that queues instead of sending; delivery starts once the transaction commits."""

    def send_messages(self, email_messages) -> int:
        messages = [m for m in email_messages if m.recipients()]
        for message in messages:
            queue(message)
        return len(messages)


def queue(message: EmailMessage, *, topic: str = "") -> OutboxMessage:
    """Store `message` in the caller's transaction; delivery is kicked off after it commits."""
    row = OutboxMessage.objects.create(
        subject=str(message.subject)[:300],
        body=str(message.body),
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        alternatives=[[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        topic=topic[:120],
    )
    transaction.on_commit(kick)  # a later kick of the same commit finds nothing due: each row is sent once
    return row


def queue_mail(
    subject: str, body: str, to: Iterable[str], *, cc: Iterable[str] = (), topic: str = ""
) -> OutboxMessage | None:
    """Queue a plain-text notice; nothing is queued when there is nobody to send it to."""
    to, cc = [a for a in to if a], [a for a in cc if a]
    if not to and not cc:
        return None
    return queue(EmailMessage(subject, body, None, to, cc=cc), topic=topic)


def cancel(*, topic: str) -> int:
    """Withdraw the waiting mails of `topic` (e.g. a reminder once the station has submitted)."""
    return OutboxMessage.objects.filter(topic=topic, status=Status.PENDING).update(
        status=Status.CANCELLED, last_error="业务已办结，无需发送。"
    )


def resend(*, ids: Iterable[int]) -> int:
    """Staff put failed or cancelled mails back in the queue; sent ones are never sent twice."""
    count = OutboxMessage.objects.filter(pk__in=list(ids), status__in=[Status.FAILED, Status.CANCELLED]).update(
        status=Status.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    if count:
        transaction.on_commit(kick)
    return count


def kick() -> bool:
    """Ask a worker to deliver the due mails now; if the broker is down they wait for the periodic run."""
    from zzmetro.jobs import dispatch
    from zzmetro.tasks import deliver_outbox

    return dispatch(deliver_outbox)


def deliver_due(*, ids: Iterable[int] | None = None, limit: int = 200) -> dict:
    """Deliver due rows (of `ids`, if given) oldest first; stop at the first sign that the server is unreachable."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    for pk in list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]):
        outcome = deliver(pk)
        if outcome in counts:
            counts[outcome] += 1
        if outcome == "unreachable":
            counts["retry"] += 1
            break
    return counts


def deliver(pk: int) -> str:
    """Claim, send and record one row: 'sent', 'retry', 'failed', 'unreachable' or 'skipped' (not due/claimed)."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    row = OutboxMessage.objects.get(pk=pk)
    try:
        connection = get_connection(settings.OUTBOX_EMAIL_BACKEND, timeout=settings.EMAIL_TIMEOUT)
        _as_email(row, connection).send()
    except Exception as error:  # noqa: BLE001 — kept on the row; the row is retried, the caller goes on
        return _failed(row, error)
    OutboxMessage.objects.filter(pk=pk).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _as_email(row: OutboxMessage, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        row.subject,
        row.body,
        row.from_email or None,
        row.to,
        bcc=row.bcc,
        cc=row.cc,
        reply_to=row.reply_to,
        connection=connection,
    )
    for content, mimetype in row.alternatives:
        email.attach_alternative(content, mimetype)
    return email


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes, at most an hour between attempts."""
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def _failed(row: OutboxMessage, error: Exception) -> str:
    given_up = row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=Status.FAILED if given_up else Status.PENDING,
        next_attempt_at=timezone.now() + backoff(row.attempts),
        last_error=f"{type(error).__name__}: {error}"[:1000],
    )
    logger.warning("mail %s not delivered (attempt %s): %s", row.pk, row.attempts, error)
    if given_up:
        return "failed"
    return "unreachable" if isinstance(error, UNREACHABLE) else "retry"
