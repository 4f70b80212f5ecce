"""Pieces the lifecycle services share: document numbering and the station's notices.

The transition table lives on each model (`Application.workflow`, …) and every state change goes through
`zzmetro.workflow.transition`; what is left here is who a station's notice goes to and how it reads.
"""

from django.conf import settings

from authorizations.models import DocumentSequence, Station
from zzmetro.outbox import queue_mail
from zzmetro.workflow import Notice


def next_number(kind: str, year: int) -> int:
    """Next running number of `kind` in `year`; the row lock serialises concurrent issuers."""
    sequence, _ = DocumentSequence.objects.select_for_update().get_or_create(kind=kind, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def station_recipients(station: Station) -> list[str]:
    addresses = [station.email] + [u.email for u in station.officers.filter(is_active=True)]
    return sorted({a for a in addresses if a})


def station_notice(station: Station, *, subject: str, body: str) -> Notice:
    """The e-mail a step sends the station: addressed to the station and its active officers, signed by the bureau."""
    link = f"{settings.SITE_URL}/portal/"
    text = f"{station.name}：\n\n{body}\n\n请登录郑州市计量授权监督管理平台查看：{link}\n\n郑州市质量技术监督局计量处"
    return Notice(f"【郑州计量授权】{subject}", text, station_recipients(station))


def notify_station(station: Station, *, subject: str, body: str) -> None:
    """E-mail the station through the outbox outside a transition (a transition takes `notices=[station_notice(…)]`):
    written with the change, so a rollback never sends a false notice."""
    notice = station_notice(station, subject=subject, body=body)
    queue_mail(notice.subject, notice.body, notice.to)
