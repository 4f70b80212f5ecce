"""Station resources (DOMAIN R1, R2): kept by the station, warned about before expiry, items not verifiable."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from authorizations.models import ExpiryWarning
from authorizations.selectors.resources import item_capabilities
from authorizations.services.resources import person_save, send_expiry_warnings, standard_save
from authorizations.tasks import resource_expiry_warnings
from zzmetro.errors import DomainError

from .factories import CertificateFactory, MeasurementStandardFactory, PersonnelFactory, VerificationItemFactory

pytestmark = pytest.mark.django_db

EXPIRES = dt.date(2026, 9, 30)  # 90 days before: 2026-07-02; 30 days before: 2026-08-31


@pytest.fixture
def meter(db):
    return VerificationItemFactory(code="DN01", name="电能表")


@pytest.fixture
def standard(officer1, meter):
    return MeasurementStandardFactory(
        station=officer1.station, name="电能表检定装置", valid_until=EXPIRES, items=[meter]
    )


def _run(day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return send_expiry_warnings(day=day)


@pytest.mark.parametrize(
    ("day", "threshold"),
    [
        (dt.date(2026, 7, 1), None),
        (dt.date(2026, 7, 2), 90),
        (dt.date(2026, 7, 3), 90),
        (dt.date(2026, 8, 30), 90),
        (dt.date(2026, 8, 31), 30),
        (dt.date(2026, 9, 1), 30),
        (dt.date(2026, 9, 30), 30),
        (dt.date(2026, 10, 1), None),
    ],
)
def test_warning_threshold_on_the_days_around_90_and_30_days_before_expiry(
    standard, day, threshold, django_capture_on_commit_callbacks
):
    """R2: within 90 days → the 90-day warning; within 30 days → the 30-day warning; after expiry → none."""
    _run(day, django_capture_on_commit_callbacks)
    sent = list(ExpiryWarning.objects.values_list("threshold_days", flat=True))
    assert sent == ([threshold] if threshold else [])
    assert len(mail.outbox) == (1 if threshold else 0)


def test_each_threshold_is_sent_once_never_twice(standard, django_capture_on_commit_callbacks):
    """R2: weekly runs send the 90-day warning once, then the 30-day warning once; reruns send nothing."""
    days = [dt.date(2026, 7, 2), dt.date(2026, 7, 2), dt.date(2026, 7, 9), dt.date(2026, 8, 31), dt.date(2026, 9, 7)]
    stations = [_run(day, django_capture_on_commit_callbacks) for day in days]
    assert stations == [1, 0, 0, 1, 0]
    assert sorted(ExpiryWarning.objects.values_list("threshold_days", flat=True)) == [30, 90]
    assert [m.subject for m in mail.outbox] == ["【郑州计量授权】计量标准和检定人员证书到期提醒"] * 2


def test_warning_email_is_chinese_and_names_each_certificate(
    officer1, standard, meter, django_capture_on_commit_callbacks
):
    """R2: one e-mail per station lists its standards and personnel certificates with days left."""
    PersonnelFactory(
        station=officer1.station,
        name="王检定",
        certificate_number="豫计检字001",
        valid_until=dt.date(2026, 8, 15),
        items=[meter],
    )
    _run(dt.date(2026, 7, 2), django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert officer1.email in message.to and officer1.station.email in message.to
    assert "电能表检定装置" in message.body and "剩余90天，90天提醒" in message.body
    assert "王检定（豫计检字001）" in message.body and "剩余44天，90天提醒" in message.body


def test_renewed_certificate_is_warned_about_again(standard, django_capture_on_commit_callbacks):
    """R2 (decision): the expiry date is part of the sent-log key, so a renewed certificate gets its own warnings."""
    _run(dt.date(2026, 9, 1), django_capture_on_commit_callbacks)
    standard.valid_until = dt.date(2026, 12, 31)
    standard.save()
    assert _run(dt.date(2026, 10, 5), django_capture_on_commit_callbacks) == 1


def test_warnings_are_not_sent_when_the_transaction_rolls_back(standard, django_capture_on_commit_callbacks):
    """Mail goes out on commit only."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_expiry_warnings(day=dt.date(2026, 7, 2))
    assert len(callbacks) == 1 and mail.outbox == []


def test_celery_task_and_management_command_are_twins(standard, freeze, django_capture_on_commit_callbacks):
    """R2: the weekly task and `manage.py send_resource_warnings` do the same, idempotently."""
    freeze("2026-07-02 08:00")
    with django_capture_on_commit_callbacks(execute=True):
        assert resource_expiry_warnings.delay().get() == 1
        call_command("send_resource_warnings", "--date", "2026-07-02")
    assert ExpiryWarning.objects.count() == 1 and len(mail.outbox) == 1


def test_beat_runs_the_warning_task_weekly():
    from zzmetro.celery import app

    entry = app.conf.beat_schedule["resource-expiry-warnings"]
    assert entry["task"] == "authorizations.resource_expiry_warnings"
    assert entry["schedule"].day_of_week == {1}


# ---------------------------------------------------------------- R2: verifiable items


@pytest.fixture
def certified(officer1, meter):
    water = VerificationItemFactory(code="SB01", name="水表")
    CertificateFactory(station=officer1.station, issued_on=dt.date(2025, 1, 1), items=[meter, water])
    return {"meter": meter, "water": water}


def _capability(station, item, day):
    return next(c for c in item_capabilities(station, day) if c.item == item)


def test_item_is_not_verifiable_once_every_standard_has_expired(officer1, certified):
    """R2: the day after the last standard expires the item is 'not verifiable'."""
    station, meter = officer1.station, certified["meter"]
    MeasurementStandardFactory(station=station, valid_until=dt.date(2026, 5, 31), items=[meter])
    MeasurementStandardFactory(station=station, valid_until=dt.date(2026, 6, 30), items=[meter])
    PersonnelFactory(station=station, items=[meter])
    assert _capability(station, meter, dt.date(2026, 6, 30)).verifiable
    on_expiry_next_day = _capability(station, meter, dt.date(2026, 7, 1))
    assert not on_expiry_next_day.verifiable and on_expiry_next_day.reason == "计量标准均已过期"


def test_item_is_not_verifiable_once_every_qualified_person_has_expired(officer1, certified):
    station, meter = officer1.station, certified["meter"]
    MeasurementStandardFactory(station=station, items=[meter])
    PersonnelFactory(station=station, valid_until=dt.date(2026, 6, 30), items=[meter])
    PersonnelFactory(station=station, items=[certified["water"]])  # qualified for another item only
    capability = _capability(station, meter, dt.date(2026, 7, 1))
    assert not capability.verifiable and capability.reason == "检定人员证书均已过期"


def test_item_without_any_resource_recorded_is_shown_as_not_verifiable(officer1, certified):
    """R2 (decision): nothing recorded counts as not verifiable too, with its own reason."""
    capability = _capability(officer1.station, certified["water"], dt.date(2026, 7, 1))
    assert not capability.verifiable and capability.reason == "未登记计量标准；未登记检定人员"


def test_station_page_shows_not_verifiable_items_with_reasons(
    client, officer1, certified, freeze, django_assert_max_num_queries
):
    """R2: the station's resources page marks the item; the page's queries do not grow with rows."""
    freeze("2026-07-01 09:00")
    station, meter = officer1.station, certified["meter"]
    for _ in range(5):
        MeasurementStandardFactory(station=station, valid_until=dt.date(2026, 6, 30), items=[meter])
        PersonnelFactory(station=station, items=[meter])
    client.force_login(officer1)
    client.get(reverse("register:index"))  # a session's first page also records its start (G1 idle timeout)
    with django_assert_max_num_queries(11):
        page = client.get(reverse("resources:index")).content.decode()
    assert "不可检定" in page and "计量标准均已过期" in page and "已过期" in page


def test_admin_capability_list_shows_not_verifiable_items(
    admin_client_bureau, officer1, certified, freeze, django_assert_max_num_queries
):
    """R2: bureau staff see every station's not-verifiable items in the admin without a query per station."""
    freeze("2026-07-01 09:00")
    MeasurementStandardFactory(station=officer1.station, valid_until=dt.date(2026, 6, 30), items=[certified["meter"]])
    with django_assert_max_num_queries(16):
        page = admin_client_bureau.get(reverse("admin:authorizations_stationcapability_changelist")).content.decode()
    assert officer1.station.name in page and "电能表：计量标准均已过期；未登记检定人员" in page


def test_admin_resource_lists_filter_by_validity(admin_client_bureau, officer1, standard, freeze):
    freeze("2026-07-02 09:00")
    url = reverse("admin:authorizations_measurementstandard_changelist")
    assert "电能表检定装置" in admin_client_bureau.get(url + "?validity=expiring").content.decode()
    assert "电能表检定装置" not in admin_client_bureau.get(url + "?validity=expired").content.decode()


# ---------------------------------------------------------------- R1: the station keeps them


def test_officer_records_a_standard_and_a_person_in_the_portal(client, officer1, meter):
    """R1: name, certificate number and validity, filing, items."""
    client.force_login(officer1)
    response = client.post(
        reverse("resources:standard_create"),
        {
            "name": "电能表标准装置",
            "certificate_number": "[2024]豫量标郑证字第001号",
            "issued_on": "2024-01-10",
            "valid_until": "2028-01-09",
            "filing_status": "filed",
            "filing_number": "郑备2024-01",
            "items": [meter.pk],
        },
    )
    assert response.status_code == 302
    standard = officer1.station.standards.get()
    assert list(standard.items.all()) == [meter] and standard.filing_number == "郑备2024-01"
    response = client.post(
        reverse("resources:person_create"),
        {
            "name": "王检定",
            "certificate_type": "registered",
            "certificate_number": "注册001",
            "valid_until": "2029-01-01",
            "items": [meter.pk],
        },
    )
    assert (
        response.status_code == 302
        and officer1.station.personnel.get().get_certificate_type_display() == "注册计量师注册证"
    )


def test_duplicate_certificate_number_is_refused_with_a_message(officer1, standard, meter):
    with pytest.raises(DomainError, match="已登记该计量标准考核证书编号"):
        standard_save(
            station=officer1.station,
            items=[meter],
            name="另一装置",
            certificate_number=standard.certificate_number,
            valid_until=EXPIRES,
        )


def test_validity_must_end_after_issue(officer1, meter):
    with pytest.raises(DomainError, match="有效期至应晚于发证日期"):
        standard_save(
            station=officer1.station,
            items=[meter],
            name="装置",
            certificate_number="X",
            issued_on=EXPIRES,
            valid_until=EXPIRES,
        )


def test_a_station_cannot_save_another_stations_person(officer1, officer2, meter):
    person = PersonnelFactory(station=officer2.station, items=[meter])
    with pytest.raises(DomainError, match="只能维护本单位"):
        person_save(
            station=officer1.station,
            person=person,
            items=[meter],
            name="x",
            certificate_type="verifier",
            certificate_number="1",
            valid_until=EXPIRES,
        )
