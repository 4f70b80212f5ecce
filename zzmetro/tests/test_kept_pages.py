"""Signed-in pages kept rendered (zzmetro/pagecache.py, issue 13 "Load") are never stale and never someone else's.

What users would notice if the keeping were wrong: an officer who sees yesterday's certificate state, a manager who
sees another account's page, a form whose token no longer posts, a message shown twice or never. Every change here is
made the ways the project makes changes — a service, a queryset update, the admin, raw SQL — and the very next page
must show it (DOMAIN A11 for the register's truth, Actors for who sees what, G1 for the session rules).
"""

import datetime as dt

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from authorizations.models import Certificate, Station
from authorizations.tests.factories import CertificateFactory
from zzmetro import pagecache

pytestmark = pytest.mark.django_db

PORTAL = "/portal/"
STATIONS = "/admin/authorizations/station/"


def signed_in(user) -> Client:
    """A browser that holds its CSRF cookie, as every browser does after its first page."""
    client = Client()
    client.force_login(user)
    client.get(reverse("password_change"))  # any page with a form sets the cookie
    assert "csrftoken" in client.cookies
    return client


def page_queries(client, path):
    """The page's HTML and how many queries answering it took."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.fixture
def certificate(officer1):
    return CertificateFactory(valid=True, station=officer1.station, number="ZZJL-K-0001", issued_on=dt.date(2025, 6, 1))


def test_a_kept_page_is_served_without_rendering_it_again(officer1, certificate):
    """Issue 13 Load: the second visit costs the account, the session and one stamp — not the page's own queries."""
    browser = signed_in(officer1)
    first, rendered = page_queries(browser, PORTAL)
    again, kept = page_queries(browser, PORTAL)
    assert again == first and "ZZJL-K-0001" in again
    assert kept <= 3 < rendered


def _by_service(certificate):
    from authorizations.services.certificates import certificate_suspend
    from zzmetro.dates import beijing_today

    certificate_suspend(
        certificate=certificate,
        by=None,
        starts_on=beijing_today(),
        planned_end_on=beijing_today() + dt.timedelta(days=30),
        reason="停业整顿",
    )


def _by_queryset(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(number="ZZJL-K-0002")


def _by_raw_sql(certificate):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE authorizations_certificate SET number = 'ZZJL-K-0002' WHERE id = %s", [certificate.pk])


def test_the_officer_sees_a_suspension_at_once(officer1, certificate):
    """A10, A11: the bureau suspends the certificate; the officer's very next page says so."""
    browser = signed_in(officer1)
    browser.get(PORTAL)
    before, _ = page_queries(browser, PORTAL)
    _by_service(certificate)
    after, _ = page_queries(browser, PORTAL)
    assert "暂停授权" in after and "暂停授权" not in before


@pytest.mark.parametrize("change", [_by_queryset, _by_raw_sql])
def test_the_officer_sees_any_change_to_the_certificate_at_once(officer1, certificate, change):
    """A11: however the row is changed — a queryset update, raw SQL — the officer's next page shows it."""
    browser = signed_in(officer1)
    browser.get(PORTAL)
    before, _ = page_queries(browser, PORTAL)
    change(certificate)
    after, _ = page_queries(browser, PORTAL)
    assert "ZZJL-K-0001" in before and "ZZJL-K-0002" in after and "ZZJL-K-0001" not in after


def test_a_station_renamed_in_the_admin_shows_at_once_on_every_kept_page(bureau, officer1, certificate):
    """Actors: bureau staff rename a station; its officer's page and the admin's list show the new name next."""
    staff, officer = signed_in(bureau), signed_in(officer1)
    staff.get(STATIONS), officer.get(PORTAL)
    assert "新名称计量检定所" not in page_queries(staff, STATIONS)[0]
    Station.objects.filter(pk=officer1.station_id).update(name="新名称计量检定所")
    assert "新名称计量检定所" in page_queries(staff, STATIONS)[0]
    assert "新名称计量检定所" in page_queries(officer, PORTAL)[0]


def test_one_accounts_kept_page_is_never_served_to_another(officer1, officer2, certificate):
    """Actors: an officer sees only their own station, also when the page comes from memory."""
    first, second = signed_in(officer1), signed_in(officer2)
    first.get(PORTAL), first.get(PORTAL)
    theirs = page_queries(second, PORTAL)[0]
    assert "ZZJL-K-0001" not in theirs
    assert officer2.station.name in theirs and officer1.station.name not in theirs


def test_a_role_change_shows_at_once(bureau, manager):
    """Actors: a manager reads and changes nothing; an account made manager gets the manager's list next page."""
    staff = signed_in(bureau)
    assert "增加 检定机构" in page_queries(staff, STATIONS)[0] or "增加" in page_queries(staff, STATIONS)[0]
    get_user_model().objects.filter(pk=bureau.pk).update(role=manager.role)
    page = page_queries(staff, STATIONS)[0]
    assert 'class="addlink"' not in page


def test_the_form_token_of_a_kept_page_still_posts_after_signing_in_again(officer1, certificate):
    """G1: a new login gives a new CSRF secret; the page from memory must carry a token that posts with it."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer1)
    browser.get(PORTAL), browser.get(PORTAL)
    browser.logout()
    browser.force_login(officer1)
    browser.get(reverse("password_change"))
    page = browser.get(PORTAL).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = browser.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302  # 403 would mean the kept page carried a dead token


def test_the_next_day_renders_afresh(officer1, certificate, freeze):
    """T1: a page says what holds today in Beijing; after midnight the kept copy is not used."""
    freeze("2026-12-01 23:58:00")
    browser = signed_in(officer1)
    browser.get(PORTAL)
    assert page_queries(browser, PORTAL)[1] <= 3
    freeze("2026-12-02 00:01:00")
    assert page_queries(browser, PORTAL)[1] > 3
    assert page_queries(browser, PORTAL)[1] <= 3


# ---- what is never kept ---------------------------------------------------------------------------------------------


def _request(user, path="/kept/", browser=None):
    browser = browser or signed_in(user)
    request = RequestFactory().get(path)
    request.user = user
    request.session = browser.session
    request.META["CSRF_COOKIE"] = browser.cookies["csrftoken"].value
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    return request


def _counting(body):
    calls = []

    def view(request):
        calls.append(1)
        return HttpResponse(body())

    return view, calls


def test_a_page_that_writes_while_it_renders_is_rendered_every_time(officer1):
    """A GET that writes (an enrolment device, a counter) must do so on every visit, so it is never kept."""

    def body():
        Station.objects.filter(pk=officer1.station_id).update(contact_person="张三")
        return "写过"

    view, calls = _counting(body)
    for _ in range(3):
        pagecache.serve_kept(_request(officer1), "test-writes", view)
    assert len(calls) == 3


def test_a_page_that_reads_a_table_without_a_journal_is_rendered_every_time(officer1):
    """Sessions are written on every login and journaled by nobody, so a page reading them is never kept."""

    def body():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_session")
            return str(cursor.fetchone()[0])

    view, calls = _counting(body)
    for _ in range(3):
        pagecache.serve_kept(_request(officer1), "test-sessions", view)
    assert len(calls) == 3


def test_a_page_that_answers_a_redirect_or_a_download_is_never_kept(officer1):
    def download(request):
        calls.append(1)
        response = HttpResponse(b"x", content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="a.pdf"'
        Station.objects.count()
        return response

    calls = []
    for _ in range(3):
        pagecache.serve_kept(_request(officer1), "test-download", download)
    assert len(calls) == 3


def test_a_page_that_compares_with_the_time_of_day_is_rendered_every_time(officer1):
    """T1: a page that counts what is older than a moment (mail waiting over ten minutes) changes with the clock
    alone, within the day, so it is never kept; a page comparing with dates is keyed on the Beijing date instead."""
    from django.utils import timezone

    from zzmetro.models import OutboxMessage

    def body():
        return str(OutboxMessage.objects.filter(created_at__lt=timezone.now()).count())

    view, calls = _counting(body)
    browser = signed_in(officer1)
    for _ in range(3):
        pagecache.serve_kept(_request(officer1, browser=browser), "test-clock", view)
    assert len(calls) == 3


def test_an_admin_change_form_shows_a_change_at_once(bureau, manager, officer1):
    """Actors: a manager reading a station's page in the admin sees the bureau's latest edit on the next visit."""
    reader = signed_in(manager)
    path = reverse("admin:authorizations_station_change", args=[officer1.station_id])
    reader.get(path)
    assert "王经理" not in page_queries(reader, path)[0]
    Station.objects.filter(pk=officer1.station_id).update(contact_person="王经理")
    assert "王经理" in page_queries(reader, path)[0]


def test_a_message_is_shown_once_and_never_kept(officer1):
    """A message after an action belongs to the page that shows it: shown once, never served again from memory."""
    from django.shortcuts import render

    def page(request):
        Station.objects.count()
        return render(request, "base.html")

    browser = signed_in(officer1)
    request = _request(officer1, browser=browser)
    messages.success(request, "申请已提交。")
    with_message = pagecache.serve_kept(request, "test-message", page).content.decode()
    later = [
        pagecache.serve_kept(_request(officer1, browser=browser), "test-message", page).content.decode()
        for _ in range(2)
    ]
    assert "申请已提交。" in with_message
    assert all("申请已提交。" not in html for html in later)


# ---- the journal ----------------------------------------------------------------------------------------------------


def test_every_model_table_journals_its_changes():
    """A11: a table without the trigger would let a kept page go stale; every table a model keeps rows in has it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
            [pagecache.TRIGGER],
        )
        journaled = {row[0] for row in cursor.fetchall()}
    assert sorted(pagecache.journaled_tables() - journaled) == []
    assert pagecache.JOURNAL not in journaled and "django_session" not in journaled


def test_compacting_the_journal_changes_every_stamp_once_and_never_back(officer1):
    """Issue 13: the nightly compaction keeps the journal small; no stamp seen before it can come back after it."""
    tables = ["authorizations_station", "authorizations_user"]
    Station.objects.filter(pk=officer1.station_id).update(contact_person="李四")
    seen = {pagecache.stamp(tables)}
    assert pagecache.compact_journal() >= 0
    after = pagecache.stamp(tables)
    assert after not in seen
    seen.add(after)
    Station.objects.filter(pk=officer1.station_id).update(contact_person="王五")
    assert pagecache.stamp(tables) not in seen
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {pagecache.JOURNAL} WHERE table_name = 'authorizations_user'")
        assert cursor.fetchone()[0] == 1


# ---- found in review: what the detector and the kept answer missed --------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        # Django's Now() is sent as STATEMENT_TIMESTAMP(): the clock is in the statement, not in its parameters.
        "SELECT count(*) FROM zzmetro_outboxmessage WHERE created_at < STATEMENT_TIMESTAMP()",
        "SELECT count(*) FROM zzmetro_outboxmessage WHERE created_at < now() - interval '10 minutes'",
        # The connection's clock zone is UTC: CURRENT_DATE is the UTC date, which turns at 08:00 in Beijing.
        "SELECT count(*) FROM zzmetro_outboxmessage WHERE created_at::date = CURRENT_DATE",
    ],
)
def test_a_page_whose_sql_reads_the_clock_is_rendered_every_time(officer1, sql):
    """T1: a statement that asks the database for the time (or the UTC date) changes with the clock alone, within the
    Beijing day the key carries, so the page is never kept — as when the moment is passed as a parameter."""

    def body():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return str(cursor.fetchone()[0])

    view, calls = _counting(body)
    browser = signed_in(officer1)
    for _ in range(3):
        pagecache.serve_kept(_request(officer1, browser=browser), "test-sql-clock", view)
    assert len(calls) == 3


def test_a_page_whose_orm_query_compares_with_now_is_rendered_every_time(officer1):
    """T1: the same through the ORM (Now()), the way a new "waiting for ten minutes" panel would be written."""
    from django.db.models.functions import Now

    from zzmetro.models import OutboxMessage

    view, calls = _counting(lambda: str(OutboxMessage.objects.filter(created_at__lt=Now()).count()))
    browser = signed_in(officer1)
    for _ in range(3):
        pagecache.serve_kept(_request(officer1, browser=browser), "test-orm-now", view)
    assert len(calls) == 3


def test_a_page_that_writes_in_lower_case_sql_is_rendered_every_time(officer1):
    """A GET that writes by hand-written SQL (lower case, as psql users type it) must write on every visit too."""

    def body():
        with connection.cursor() as cursor:
            cursor.execute(
                "update authorizations_station set contact_person = %s where id = %s", ["张三", officer1.station_id]
            )
        return "写过"

    view, calls = _counting(body)
    browser = signed_in(officer1)
    for _ in range(3):
        pagecache.serve_kept(_request(officer1, browser=browser), "test-lower-write", view)
    assert len(calls) == 3


def test_a_page_that_reads_nothing_from_the_database_is_rendered_every_time(officer1):
    """A11: a page built from something other than rows (a Redis counter, a file) has no stamp that could ever tell
    it changed; it must show what holds now, so it is never kept."""
    from django.core.cache import caches

    counters = caches["default"]
    counters.set("zz-review-waiting", 1)
    view, calls = _counting(lambda: f"等待 {counters.get('zz-review-waiting')} 封")
    browser = signed_in(officer1)
    first = pagecache.serve_kept(_request(officer1, browser=browser), "test-no-sql", view).content.decode()
    counters.set("zz-review-waiting", 2)
    second = pagecache.serve_kept(_request(officer1, browser=browser), "test-no-sql", view).content.decode()
    assert (first, second) == ("等待 1 封", "等待 2 封")


@pytest.mark.parametrize("who, path", [("officer1", PORTAL), ("manager", STATIONS)])
def test_a_kept_page_renews_the_form_token_cookie_like_a_fresh_one(who, path, request, certificate):
    """G1: a fresh page with a form sends the CSRF cookie again (renewing its expiry); the kept copy must as well, or
    an account that only reads kept pages for the cookie's lifetime finds every form refused. The admin's views set
    the cookie themselves (their own csrf_protect), the portal's leave it to the middleware."""
    browser = signed_in(request.getfixturevalue(who))
    fresh = browser.get(path)
    kept = browser.get(path)
    assert kept.content == fresh.content
    assert "csrftoken" in fresh.cookies
    assert kept.cookies.get("csrftoken") is not None
    assert kept.cookies["csrftoken"].value == fresh.cookies["csrftoken"].value


def test_a_page_that_takes_a_note_out_of_the_session_does_so_on_every_visit(officer1):
    """A note shown once (the last upload's problems) is taken out of the session by the page that shows it; a copy
    from memory would show it without taking it out, so it would come back on every later page."""

    def page(request):
        Station.objects.count()
        return HttpResponse(request.session.pop("zz_review_note", "无"))

    browser = signed_in(officer1)
    shown = []
    for _ in range(2):
        session = browser.session
        session["zz_review_note"] = "第3行：数量不是整数"
        session.save()
        request = _request(officer1, browser=browser)
        shown.append(pagecache.serve_kept(request, "test-session-note", page).content.decode())
        request.session.save()
        shown.append(
            pagecache.serve_kept(_request(officer1, browser=browser), "test-session-note", page).content.decode()
        )
    assert shown == ["第3行：数量不是整数", "无"] * 2


def test_a_kept_page_takes_a_fraction_of_its_size_in_memory(officer1):
    """Issue 13 Load: each of five workers keeps up to a thousand pages of up to 512 KB in its own memory — 2.5 GB on a
    busy day of admin lists; a page is kept compressed (HTML shrinks several times) and still served byte for byte."""
    from django.core.cache import caches

    rows = "".join(
        f'<tr><td><a href="/admin/authorizations/station/{n}/change/">计量检定站{n}</a></td>'
        f"<td>91410100MA{n:08d}</td><td>金水区</td><td>有效</td></tr>"
        for n in range(3000)
    )

    def page(request):
        Station.objects.count()
        return HttpResponse(f"<table>{rows}</table>")

    browser = signed_in(officer1)
    fresh = pagecache.serve_kept(_request(officer1, browser=browser), "test-size", page).content
    kept = pagecache.serve_kept(_request(officer1, browser=browser), "test-size", page).content
    assert kept == fresh and len(fresh) > 300_000
    held = sum(len(value) for value in caches["kept"]._cache.values())  # LocMemCache keeps each value pickled
    assert held < len(fresh) / 4


def test_rows_loaded_by_copy_or_emptied_by_truncate_show_on_the_next_page(manager):
    """Actors: a manager reads what the database holds now. The archive import loads rows with COPY, and a table
    can be emptied with TRUNCATE: neither is an INSERT or DELETE statement, both must move the page's stamp."""
    import io

    outbox = "/admin/zzmetro/outboxmessage/"
    reader = signed_in(manager)
    reader.get(outbox)
    before, queries = page_queries(reader, outbox)
    assert "复核测试邮件" not in before and queries <= 3  # served from memory
    line = "pending\t复核测试邮件\t正文\t\t[]\t[]\t[]\t[]\t[]\t\t0\t\t2026-11-30 10:00:00+08\t2026-11-30 10:00:00+08\n"
    columns = 'status, subject, body, from_email, "to", cc, bcc, reply_to, alternatives, topic, attempts, last_error, '
    columns += "created_at, next_attempt_at"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY zzmetro_outboxmessage ({columns}) FROM STDIN", io.StringIO(line))
    assert "复核测试邮件" in page_queries(reader, outbox)[0]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE zzmetro_outboxmessage")
    assert "复核测试邮件" not in page_queries(reader, outbox)[0]


def test_many_public_register_queries_never_push_out_a_signed_in_page(officer1, certificate):
    """Actors: anonymous visitors asking the public register for a thousand different queries fill the public pages'
    memory, not the officers': the officer's kept page is still served from memory afterwards."""
    browser = signed_in(officer1)
    browser.get(PORTAL)
    assert page_queries(browser, PORTAL)[1] <= 3
    visitor = Client()
    for number in range(1100):
        visitor.get(reverse("register:index"), {"q": f"查询{number}"})
    assert page_queries(browser, PORTAL)[1] <= 3
