"""What reporting services share beyond the kernel's workflow: notices to a station and required reasons.

State changes go through `zzmetro.workflow.transition` (the tables are declared on the models); this module only
composes the e-mails those transitions queue.
"""

from django.conf import settings

from authorizations.models import Station
from authorizations.services.common import station_recipients
from zzmetro.errors import DomainError
from zzmetro.workflow import Notice


def sign_off(station_name: str, body: str, link: str) -> str:
    return f"{station_name}：\n\n{body}\n\n请登录郑州市计量授权监督管理平台办理：{link}\n\n郑州市质量技术监督局计量处"


def station_notice(station: Station, *, subject: str, body: str, path: str) -> Notice:
    """The e-mail to the station and its officers, queued by the transition: a rollback never sends it."""
    text = sign_off(station.name, body, settings.SITE_URL + path)
    return Notice(f"【郑州计量授权】{subject}", text, to=station_recipients(station))


def require_reason(reason: str, what: str) -> str:
    if not (reason or "").strip():
        raise DomainError(f"{what}必须写明理由。", field="reason")
    return reason.strip()
