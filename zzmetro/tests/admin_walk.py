"""Walk every URL of the project's admin site, derived from the site itself (never a hand-written list).

`routes(site)` lists every URL pattern the site serves (the site's own and each ModelAdmin's `get_urls()`).
`crawl()` follows every admin link as bureau staff, who see every button, and keeps the pages with their forms;
`concrete_urls()` adds a URL built from real rows for any pattern no link reached, so every pattern is walked.
`post_variants()` turns a page into hostile submissions: an empty form, the page's forms with every blank filled,
and on a changelist every action the site defines, on every row.
`Writes` reads PostgreSQL's per-transaction tuple counters, so each request's writes are known per table.
"""

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from django.apps import apps
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, resolve, reverse
from django.urls.exceptions import Resolver404

from zzmetro.appendonly import AppendOnlyModel

ID_PARAMS = {"object_id", "pk", "content_type_id"}
PER_KEY = 1  # concrete URLs crawled per pattern and non-id arguments (per transition name, per document kind); rows in other states are added by concrete_urls
DOMAIN_APPS = {"authorizations", "reporting", "inspections"}
# The walker's own logins and login attempts (sessions, django-axes' records); every other table is compared.
LOGIN_BOOKKEEPING_APPS = {"sessions", "axes"}


def is_security_audit(model) -> bool:
    """The kernel's append-only security log (DOMAIN G2) records reads too (exports, downloads): not a data change."""
    return issubclass(model, AppendOnlyModel) and model._meta.app_label not in DOMAIN_APPS


def domain_event_models():
    """Lifecycle, reporting and supervision events (A12): the trail a state change must leave."""
    return [m for m in apps.get_models() if issubclass(m, AppendOnlyModel) and m._meta.app_label in DOMAIN_APPS]


def not_project_data() -> set[str]:
    """Login bookkeeping, the security audit, and the kept pages' change journal (a row there only mirrors a write to
    another table, which is counted on its own)."""
    from zzmetro.pagecache import JOURNAL

    return {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in LOGIN_BOOKKEEPING_APPS or is_security_audit(m)
    } | {JOURNAL}


@dataclass
class Route:
    route: str  # joined as Django joins ResolverMatch.route, so a resolved URL names its pattern
    pattern: object
    model_admin: object = None

    @property
    def name(self) -> str:
        return self.pattern.name or ""

    @property
    def is_changelist(self) -> bool:
        return self.name.endswith("_changelist")


@dataclass
class Page:
    url: str
    status: int
    forms: list = field(default_factory=list)  # lxml form elements that POST back to this URL


def _join(route1: str, route2: str) -> str:
    return route1 + route2.removeprefix("^") if route1 else route2


def routes(site) -> dict[str, Route]:
    """Every pattern of `site`, keyed by its joined route, with the ModelAdmin that serves it."""
    mount = resolve(reverse(f"{site.name}:index")).route
    by_prefix = {f"{m._meta.app_label}/{m._meta.model_name}/": ma for m, ma in site._registry.items()}
    found = {}

    def walk(patterns, prefix, model_admin):
        for entry in patterns:
            joined = _join(prefix, str(entry.pattern))
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, joined, by_prefix.get(str(entry.pattern), model_admin))
            elif isinstance(entry, URLPattern):
                found[joined] = Route(joined, entry, model_admin)

    walk(site.get_urls(), mount, None)
    return found


def route_of(url: str) -> tuple[str, dict, tuple] | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.route, match.kwargs, match.args


def _key(route: str, kwargs: dict, args: tuple) -> tuple:
    return route, tuple(sorted((k, v) for k, v in kwargs.items() if k not in ID_PARAMS))


def parse_page(url: str, response) -> Page:
    page = Page(url, response.status_code)
    if "html" not in response.get("Content-Type", "") or not response.content.strip():
        return page
    document = lxml.html.fromstring(response.content)
    document.make_links_absolute(urljoin("http://testserver", url))
    for form in document.forms:
        action = urlsplit(form.get("action") or url).path
        if (form.get("method") or "get").lower() == "post" and action == urlsplit(url).path:
            page.forms.append(form)
    page.links = {
        urlsplit(href).path for _, _, href, _ in document.iterlinks() if href.startswith("http://testserver/")
    }
    return page


def drain(response) -> None:
    """Run a streamed body to its end (an export writes as it streams) and close its files, keeping the test's
    database connection open (closing a response fires request_finished, which would close it)."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def crawl(client, site, admin_routes: dict[str, Route]) -> dict[str, Page]:
    """Follow every admin link (GET only) from the index as the logged-in client; keep PER_KEY URLs per pattern."""
    mount = reverse(f"{site.name}:index")
    queue, pages, per_key = [mount], {}, defaultdict(int)
    while queue:
        url = queue.pop(0)
        if url in pages or not url.startswith(mount):
            continue
        resolved = route_of(url)
        if resolved is None or resolved[0] not in admin_routes:
            continue
        key = _key(*resolved)
        if per_key[key] >= PER_KEY:
            continue
        per_key[key] += 1
        response = client.get(url)
        pages[url] = parse_page(url, response)
        drain(response)
        queue.extend(sorted(getattr(pages[url], "links", ())))
    return pages


def _fill_path(route: str, values: dict[str, str], positional: list[str]) -> str:
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "zz-walk/"), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), path)
    path = re.sub(r"\([^)?]*\)", lambda m: positional.pop(0) if positional else "1", path)
    return "/" + path.replace("^", "").replace("$", "")


def _history_ids(model, pk) -> list[str]:
    history = getattr(model, "history", None)
    if history is None or not hasattr(history, "model"):
        return []
    return [
        str(h)
        for h in history.model.objects.filter(**{model._meta.pk.attname: pk}).values_list("history_id", flat=True)[:1]
    ]


def _params(entry: Route) -> tuple[set[str], int]:
    """Named parameters of a pattern, and how many unnamed (positional) groups it has."""
    regex = entry.pattern.pattern.regex
    return set(regex.groupindex), regex.groups - len(regex.groupindex)


def concrete_urls(admin_routes: dict[str, Route], pages: dict[str, Page], representatives) -> dict[str, list[str]]:
    """The crawled URLs of each pattern; for a pattern about one row, the same URL for a row in each state
    (`representatives(model)` gives their pks); for a pattern no link reached, one built from real rows."""
    urls = defaultdict(list)
    seen_values = defaultdict(set)  # argument values links used anywhere (document kinds, file fields, …)
    crawled = defaultdict(list)
    for url in pages:
        route, kwargs, args = route_of(url)
        urls[route].append(url)
        crawled[route].append({k: str(v) for k, v in kwargs.items() if k not in ID_PARAMS})
        for name, value in kwargs.items():
            seen_values[name].add(str(value))
    defaults = {name: sorted(values)[0] for name, values in seen_values.items()}
    for route, entry in admin_routes.items():
        named, positional = _params(entry)
        model = entry.model_admin.model if entry.model_admin else None
        # Django's own row pages (change, delete, history …) are walked for a row in each state; pages with more
        # arguments (a transition, a document) are walked where the staff's pages link to them.
        a_row_page = model is not None and not named - ID_PARAMS and (named & {"object_id", "pk"} or positional)
        if not a_row_page and urls[route]:
            continue
        pks = [str(pk) for pk in representatives(model)] if model else ["1"]
        templates = {tuple(sorted(k.items())) for k in crawled[route]} or {()}
        for template in sorted(templates):
            for pk in pks:
                values = {**defaults, **dict(template), "object_id": pk, "pk": pk}
                path = _fill_path(route, values, [pk, *(_history_ids(model, pk) if model else [])])
                if (
                    path not in urls[route] and (route_of(path) or (None,))[0] == route
                ):  # else the coverage check names it
                    urls[route].append(path)
    return urls


# --- hostile submissions -------------------------------------------------------------------------------------


def _filled_value(element) -> str:
    kind = (element.get("type") or "text").lower()
    classes = element.get("class") or ""
    if "vDateField" in classes or kind == "date":
        return dt.date.today().isoformat()
    if "vTimeField" in classes:
        return "09:00:00"
    if kind == "number" or "vIntegerField" in classes:
        return "1"
    if kind == "email":
        return "walk@example.com"
    return "巡检测试"


def form_data(form, *, fill: bool, overrides: dict | None = None) -> dict[str, list[str]]:
    """The form's successful controls as a browser would send them; with `fill`, every blank gets a plausible value."""
    data = defaultdict(list)
    first_submit = True
    for element in form.xpath(".//input|.//select|.//textarea|.//button"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        tag, kind = element.tag, (element.get("type") or "").lower()
        if tag in ("button",) or kind in ("submit", "image"):
            if first_submit:
                data[name].append(element.get("value") or "")
                first_submit = False
            continue
        if kind == "file":
            continue
        if kind in ("checkbox", "radio"):
            if element.get("checked") is not None or fill:
                if kind == "radio" and data[name]:
                    continue
                data[name].append(element.get("value") or "on")
            continue
        if tag == "select":
            options = element.xpath(".//option")
            chosen = [o.get("value", o.text or "") for o in options if o.get("selected") is not None]
            usable = [o.get("value", o.text or "") for o in options if o.get("value", o.text or "")]
            if not chosen and fill and not usable and element.get("data-model-name"):  # an autocomplete: any real row
                chosen = [
                    str(
                        apps.get_model(element.get("data-app-label"), element.get("data-model-name"))
                        ._base_manager.values_list("pk", flat=True)
                        .first()
                    )
                ]
            elif not chosen and options:
                chosen = usable[:1] if fill else [options[0].get("value", options[0].text or "")]
            data[name].extend(chosen)
            continue
        value = element.text or "" if tag == "textarea" else element.get("value") or ""
        if fill and not value and kind != "hidden":
            value = _filled_value(element)
        data[name].append(value)
    data.update(overrides or {})
    return dict(data)


def select_options(form, name: str) -> list[str]:
    return [
        o.get("value", o.text or "")
        for o in form.xpath(f".//select[@name='{name}']//option")
        if o.get("value", o.text or "")
    ]


def action_names(entry: Route, user, page: Page | None) -> list[str]:
    """Every action the site defines for this changelist: the staff's actions and any shown on the page."""
    request = RequestFactory().get("/")
    request.user = user
    names = set(entry.model_admin.get_actions(request)) if entry.model_admin else set()
    for form in page.forms if page else ():
        names.update(select_options(form, "action"))
    return sorted(names)


def post_variants(entry: Route, url: str, page: Page | None, staff, representatives=lambda model: ()) -> list[dict]:
    """An empty POST, each of the page's forms filled in, and on a changelist every action (confirmed too) on all
    rows at once and on one row in each state, since one protected row makes Django refuse a whole bulk delete."""
    variants = [{}]
    for form in page.forms if page else ():
        variants.append(form_data(form, fill=True))
    if entry.is_changelist and entry.model_admin is not None:
        model = entry.model_admin.model
        selections = [[str(pk) for pk in model._base_manager.values_list("pk", flat=True)[:100]]]
        selections += [[str(pk)] for pk in representatives(model)]
        for action in action_names(entry, staff, page):
            every_row = {"action": [action], "_selected_action": selections[0], "index": ["0"], "select_across": ["1"]}
            variants += [every_row, {**every_row, "post": ["yes"]}]  # as chosen, and as confirmed (bulk delete)
            variants += [
                {"action": [action], "_selected_action": pks, "index": ["0"], "post": ["yes"]} for pks in selections[1:]
            ]
    return variants


# --- what a request wrote ------------------------------------------------------------------------------------


class Writes:
    """Per-table inserted/updated/deleted tuples of the current transaction (PostgreSQL's pg_stat_xact_user_tables)."""

    def __init__(self):
        self.ignored = not_project_data()
        self.last = self._read()

    @staticmethod
    def _read() -> dict[str, tuple[int, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
            return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}

    def since_last(self) -> dict[str, tuple[int, int, int]]:
        """Tables written since the previous call, with (inserted, updated, deleted)."""
        now = self._read()
        changed = {}
        for table, counts in now.items():
            before = self.last.get(table, (0, 0, 0))
            delta = tuple(a - b for a, b in zip(counts, before))
            if any(delta) and table not in self.ignored:
                changed[table] = delta
        self.last = now
        return changed


def all_models():
    """Every concrete table Django knows, including the auto-created M2M and the historical ones."""
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row's values, per table."""
    result, ignored = {}, not_project_data()
    for model in all_models():
        if model._meta.db_table in ignored:
            continue
        digest = hashlib.sha256()
        count = 0
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
            count += 1
        result[model._meta.db_table] = (count, digest.hexdigest())
    return result
