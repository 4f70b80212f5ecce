"""The bureau's workbench (待办事项) on the admin front page: what waits for staff, each a count that opens its list.

The kernel imports no app, so the workbench is a registry: each app registers its entries from its AppConfig.ready()
(`register(Entry(...))`), naming the rows the count counts and the filtered admin list that shows exactly those rows
— the tests check, entry by entry, that the count equals the rows of the list it links to. The admin index renders
`entries_for(user)`; the front page also links the dashboard and the boards, which link back (issue 11).
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Entry:
    """One line of the workbench: how many rows wait, and the list (an admin changelist with its filters, or a
    board) that shows exactly those rows."""

    key: str  # stable name, for tests and ordering ("authorizations.accept")
    label: str  # what staff read ("待受理的申请")
    count: Callable[[], int]
    url: Callable[[], str]
    group: str = ""  # the heading it sits under ("授权", "报表", "监督", "系统")
    order: int = 0


def changelist(model: str, **filters) -> str:
    """The admin list of "app_label.modelname" with its filters in the query string."""
    app_label, model_name = model.split(".")
    base = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{base}?{urlencode(filters)}" if filters else base


def listed(model: str, rows: Callable[[], QuerySet], filters: Callable[[], dict] = dict, **entry) -> Entry:
    """An entry whose count is `rows().count()` and whose list is the admin changelist filtered by `filters()`."""
    return Entry(count=lambda: rows().count(), url=lambda: changelist(model, **filters()), **entry)


GROUPS = ("授权", "报表", "监督", "系统")
_entries: dict[str, Entry] = {}


def register(entry: Entry) -> Entry:
    """Add (or replace, by key) an entry; apps call it from ready(), so a reload never doubles a line."""
    _entries[entry.key] = entry
    return entry


def entries() -> list[Entry]:
    return sorted(_entries.values(), key=lambda e: (_group_rank(e.group), e.order, e.key))


def _group_rank(group: str) -> int:
    return GROUPS.index(group) if group in GROUPS else len(GROUPS)


def entries_for(user) -> list[dict]:
    """The workbench as the admin index shows it: only for bureau staff, one COUNT query per line."""
    if not getattr(user, "is_bureau", False):
        return []
    lines = []
    for entry in entries():
        try:
            url = entry.url()
        except NoReverseMatch:  # the list is not in this admin (an app left out of INSTALLED_APPS)
            continue
        lines.append({"key": entry.key, "label": entry.label, "group": entry.group, "count": entry.count(), "url": url})
    return lines


def grouped(lines: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for line in lines:
        groups.setdefault(line["group"] or "其他", []).append(line)
    return list(groups.items())


# Pages outside the admin that staff and managers read; the admin's front page links each (and they link back).
BOARDS = (
    ("dashboard", "监管看板"),
    ("reporting:board", "月报报送情况"),
    ("reporting:rates", "报送率与及时率"),
    ("reporting:quarterly_board", "季度统计分析报送情况"),
)


def board_links() -> list[tuple[str, str]]:
    links = []
    for name, label in BOARDS:
        try:
            links.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return links


def register_kernel() -> None:
    """The kernel's own line: mail the outbox gave up on after its retries (CoreConfig.ready)."""
    from zzmetro.models import OutboxMessage

    failed = OutboxMessage.Status.FAILED
    register(
        listed(
            "zzmetro.outboxmessage",
            lambda: OutboxMessage.objects.filter(status=failed),
            lambda: {"status__exact": failed},
            key="zzmetro.undelivered_mail",
            label="多次发送失败的邮件",
            group="系统",
            order=20,
        )
    )
