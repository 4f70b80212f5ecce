"""Nobody writes around the services through the admin (DOMAIN Actors, A12).

Both walks take their URL list from the admin site itself (`admin_walk.routes`), so a URL added tomorrow is
walked tomorrow, and a pattern the walk cannot reach fails the coverage assertion instead of going unchecked.
"""

import io
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import SESSION_KEY, user_logged_in
from django.contrib.auth.models import Group, update_last_login
from django.core.management import call_command
from django.db.models import Min
from django.test import Client, RequestFactory
from django.urls import reverse

from zzmetro.appendonly import AppendOnlyModel

from . import admin_walk as walk

pytestmark = pytest.mark.django_db

# Where a row stands in its lifecycle; descriptive choices (kind, district, use …) are not states.
STATE_FIELD = re.compile(r"(^|_)(status|state|result|conclusion|flagged)$")


@pytest.fixture
def world(db, settings):
    """The demo (every lifecycle state the services reach), plus a row for the few models it leaves empty."""
    settings.DEBUG = True  # the demo's accounts, as `make demo` leaves them: no first-login password change
    for command in ("seed_demo", "seed_demo_archive", "seed_demo_reports", "seed_demo_supervision"):
        call_command(command, stdout=io.StringIO())
    settings.DEBUG = False
    _top_up()
    empty = [m._meta.label for m in admin.site._registry if not m._default_manager.exists()]
    assert not empty, f"give these admin models a row in the walk's world: {empty}"
    from authorizations.models import User

    return {"bureau": User.objects.get(username="bureau"), "manager": User.objects.get(username="manager")}


def _top_up():
    """Rows the demo does not make, made by their services where staff or stations make them."""
    import datetime as dt

    from authorizations import services
    from authorizations.models import Certificate, ExpiryWarning, MeasurementStandard, Station, TerminationRequest, User
    from inspections.models import AnnualEvaluation, Violation
    from inspections.services import cases
    from reporting.models import (
        AnnualPlan,
        CityPlanIssuance,
        ImportJob,
        MajorIssueReport,
        QuarterlyAnalysis,
        ReminderLog,
    )
    from reporting.services import plans, reports
    from zzmetro.dates import add_months, beijing_today
    from zzmetro.errors import DomainError

    today = beijing_today()
    bureau = User.objects.get(username="bureau")
    station = Station.objects.order_by("pk").first()
    Group.objects.get_or_create(name="巡检")
    Client().post(
        reverse("admin:login"), {"username": "bureau", "password": "不是这个密码"}
    )  # a failed login is recorded
    if not AnnualEvaluation.objects.exists():
        cases.evaluation_prepare(station=station, year=today.year - 1)
    if not MajorIssueReport.objects.exists():
        reports.major_issue_report(
            station=station, by=None, title="标准装置故障", occurred_on=today, description="装置故障停用"
        )
    if not ImportJob.objects.exists():
        ImportJob.objects.create(station=station, filename="archive.xlsx", upload=b"x")
    if not TerminationRequest.objects.exists():
        certificate = Certificate.objects.filter(status=Certificate.Status.VALID).order_by("-expires_on").first()
        services.termination_report(
            certificate=certificate, by=None, requested_end_on=add_months(today, 7), reason="业务调整"
        )
    if not ExpiryWarning.objects.exists():
        standard = MeasurementStandard.objects.first()
        ExpiryWarning.objects.create(
            station=standard.station, standard=standard, threshold_days=90, expires_on=standard.valid_until
        )
    if not CityPlanIssuance.objects.exists():
        year = AnnualPlan.objects.filter(status=AnnualPlan.Status.APPROVED).values_list("year", flat=True).first()
        plans.city_plan_issue(year=year, by=bureau)
    quarters = [(today.year - back // 4, 4 - back % 4) for back in range(4, 12)]
    for candidate, (year, quarter) in ((s, q) for s in Station.objects.order_by("pk") for q in quarters):
        if QuarterlyAnalysis.objects.exists():
            break
        try:  # the first quarter some station had to report
            reports.quarterly_save_narrative(
                station=candidate, year=year, quarter=quarter, narrative="运行正常", by=None
            )
        except DomainError:
            continue
    if not ReminderLog.objects.exists():
        ReminderLog.objects.create(
            station=station,
            kind=ReminderLog.Kind.values[0],
            period=today.replace(day=1),
            stage=ReminderLog.Stage.values[0],
            due_on=today,
        )
    if not Violation.objects.exists():
        cases.violation_record(
            station=station,
            by=bureau,
            kind=Violation.Kind.LATE_REPORTS,
            found_on=today,
            description="迟报月报",
            action=Violation.Action.CORRECTION_ORDER,
            decided_on=today,
            deadline=today + dt.timedelta(days=20),
        )


@pytest.fixture
def logins():
    """Logging in must not write the users table, so the walk can log in again after posting to logout."""
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    yield
    user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")


def _ensure_logged_in(client, user):
    if SESSION_KEY not in client.session:
        client.force_login(user)


def _representatives(model, per_model=4):
    """A row in each lifecycle state of `model` (the first row of a stateless one): a delete or a transition that is
    refused in one state may be open in another."""
    fields = _stateful_models().get(model)
    rows = model._base_manager.order_by()
    if not fields:
        return list(rows.order_by("pk").values_list("pk", flat=True)[:1])
    return sorted(rows.values(*fields).annotate(first=Min("pk")).values_list("first", flat=True))[:per_model]


def _walkable(client, user):
    """Every admin pattern with concrete URLs, and the page staff see at each (for the forms to copy)."""
    site = admin.site
    client.force_login(user)
    admin_routes = walk.routes(site)
    pages = walk.crawl(client, site, admin_routes)
    urls = walk.concrete_urls(admin_routes, pages, _representatives)
    for url in sorted({u for found in urls.values() for u in found} - set(pages)):
        response = client.get(url)
        pages[url] = walk.parse_page(url, response)
        walk.drain(response)
    missing = sorted(set(admin_routes) - {r for r, found in urls.items() if found})
    assert not missing, f"admin URL patterns the walk could not reach: {missing}"
    return admin_routes, pages, urls


def test_a_manager_posting_to_every_admin_url_changes_no_row_of_any_table(client, world, logins):
    """Actors, A12: managers read and change nothing — every admin URL (changelist, add, change, delete, history,
    history item, transition, document, file, export, every action on every row) is POSTed empty and with its
    form filled in, and not one row of any table (historical and M2M tables included) differs afterwards; only the
    walker's own logins and the security audit, which records reads such as exports (G2), are left out."""
    bureau, manager = world["bureau"], world["manager"]
    admin_routes, pages, urls = _walkable(client, bureau)
    client.force_login(manager)
    before = walk.snapshot()
    writes = walk.Writes()
    walked, wrote = set(), []
    for route, route_urls in sorted(urls.items()):
        entry = admin_routes[route]
        for url in route_urls:
            for data in walk.post_variants(entry, url, pages.get(url), bureau, _representatives):
                _ensure_logged_in(client, manager)
                walk.drain(client.post(url, data))
                walked.add(route)
                changed = writes.since_last()
                if changed:
                    wrote.append((url, sorted(data), changed))
    assert not wrote, f"manager POSTs that wrote: {wrote[:10]}"
    after = walk.snapshot()
    assert {t for t in before if before[t] != after.get(t)} == set()
    assert walked == set(admin_routes) and len(walked) >= len(admin_routes)


def _history_items():
    """A URL per stored version of every row of every model the site shows history items for."""
    items = []
    for entry in walk.routes(admin.site).values():
        if entry.name.endswith("_simple_history"):
            model = entry.model_admin.model
            for pk, history_id in model.history.model.objects.values_list(model._meta.pk.attname, "history_id")[:20]:
                items.append(reverse(f"admin:{entry.name}", args=[pk, history_id]))
    return items


def test_history_versions_are_shown_but_never_restored_by_anyone(client, world, logins):
    """A11, A12: a history item shows the old version read-only, without a revert button; a POST from bureau staff or
    a manager, empty or with the page's form, is refused with a Chinese message and writes nothing — so a revoked
    certificate's old valid version posted back leaves it revoked."""
    items = _history_items()
    assert len(items) > 10, "the world should have history items to try"
    writes = walk.Writes()
    for user in (world["bureau"], world["manager"]):
        client.force_login(user)
        writes.since_last()
        for url in items:
            page = client.get(url)
            assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
            forms = walk.parse_page(url, page).forms
            assert forms and not any(f.xpath(".//input[@type='text']|.//select|.//textarea") for f in forms)
            for data in [{}] + [walk.form_data(form, fill=True) for form in forms]:
                response = client.post(url, data)
                assert response.status_code == 403 and "历史版本只能查看" in response.content.decode()
        assert writes.since_last() == {}
    _a_revoked_certificate_stays_revoked_when_its_valid_version_is_posted_back(client, world)


def _a_revoked_certificate_stays_revoked_when_its_valid_version_is_posted_back(client, world):
    """A11: the reported case — an old 'valid' version of a revoked certificate posted back — restores nothing."""
    from authorizations.models import Certificate

    revoked = Certificate.objects.filter(status=Certificate.Status.REVOKED).first()
    valid_version = revoked.history.filter(status=Certificate.Status.VALID).first()
    url = reverse("admin:authorizations_certificate_simple_history", args=[revoked.pk, valid_version.history_id])
    versions = revoked.history.count()
    for user in (world["manager"], world["bureau"]):
        client.force_login(user)
        assert client.post(url, {"_save": "恢复"}).status_code == 403
    revoked.refresh_from_db()
    assert revoked.status == Certificate.Status.REVOKED and revoked.history.count() == versions


def _stateful_models():
    """Every domain model with a lifecycle state field (events themselves excluded): {model: [field names]}."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in walk.DOMAIN_APPS or issubclass(model, AppendOnlyModel):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if STATE_FIELD.search(f.name) and (f.choices or f.get_internal_type() == "BooleanField")
        ]
        if fields:
            found[model] = fields
    return found


def _states(model, fields):
    return dict(((row[0], row[1:]) for row in model._base_manager.values_list("pk", *fields)))


def test_bureau_staff_change_no_state_except_through_a_service_that_writes_its_event(client, world, logins):
    """A12: for every admin URL bureau staff can POST (forms filled in, every choice of every state field tried, every
    action on every row, deletes confirmed), any request that creates, changes or deletes a row's state also writes
    a lifecycle, reporting or supervision event in the same request; history items are refused outright."""
    bureau = world["bureau"]
    admin_routes, pages, urls = _walkable(client, bureau)
    stateful = _stateful_models()
    tables = {m._meta.db_table: m for m in stateful}
    event_tables = {m._meta.db_table for m in walk.domain_event_models()}
    states = {m: _states(m, f) for m, f in stateful.items()}
    writes = walk.Writes()
    bypasses, serviced = [], 0
    for route, route_urls in sorted(urls.items()):
        entry = admin_routes[route]
        for url in route_urls:
            for data in _bureau_variants(entry, url, pages.get(url), bureau, stateful):
                _ensure_logged_in(client, bureau)
                response = client.post(url, data)
                confirmation = _confirmation(url, response)
                walk.drain(response)
                if confirmation is not None:  # an irreversible step: staff confirm on the page the server showed
                    walk.drain(response := client.post(url, confirmation))
                changed = writes.since_last()
                if entry.name.endswith("_simple_history"):
                    assert response.status_code == 403 and not changed, url
                evented = any(changed.get(t, (0,))[0] for t in event_tables)
                for table in set(changed) & set(tables):
                    model = tables[table]
                    now = _states(model, stateful[model])
                    if now != states[model]:
                        serviced += evented
                        if not evented:
                            bypasses.append(
                                (url, model._meta.label, sorted(k for k in data if not k.startswith("csrf")))
                            )
                    states[model] = now
    assert not bypasses, f"state changed in the admin without an event: {bypasses[:10]}"
    assert serviced >= 5, "the walk should have run some transitions through their services"


def _confirmation(url, response) -> dict | None:
    """The confirmation page's form (what was entered, and the button that runs the service), if this is one."""
    if response.status_code != 200:
        return None
    forms = [f for f in walk.parse_page(url, response).forms if f.xpath(".//*[@name='_confirmed']")]
    return walk.form_data(forms[0], fill=False) if forms else None


def _bureau_variants(entry, url, page, bureau, stateful):
    variants = walk.post_variants(entry, url, page, bureau, _representatives)
    state_names = {f for fields in stateful.values() for f in fields}
    for form in page.forms if page else ():
        for name in state_names:
            for value in walk.select_options(form, name):
                variants.append(walk.form_data(form, fill=True, overrides={name: [value]}))
    return variants


def test_no_admin_form_lets_staff_set_a_state_field_directly(bureau):
    """A12: Django's own add and change forms of every registered model leave its state fields out or read-only;
    where staff record a state (a new integrity evaluation, a planned inspection) the admin's page runs a service."""
    request = RequestFactory().get("/")
    request.user = bureau
    stateful = _stateful_models()
    editable = []
    for model, model_admin in admin.site._registry.items():
        fields = {f.removesuffix("_id") for f in stateful.get(model, ())}
        if not fields:
            continue
        obj = model._default_manager.first()
        if model_admin.has_change_permission(request, obj):
            editable += [
                (model._meta.label, "change", f) for f in fields & set(model_admin.get_form(request, obj).base_fields)
            ]
        uses_django_add = type(model_admin).add_view is admin.ModelAdmin.add_view
        if uses_django_add and model_admin.has_add_permission(request):
            editable += [
                (model._meta.label, "add", f) for f in fields & set(model_admin.get_form(request, None).base_fields)
            ]
    assert editable == []
