"""Public register, revoked list and certificate check page (DOMAIN A5, A10, A11, D2)."""

import datetime as dt

import pytest
from django.urls import reverse

from authorizations import services

from .factories import CertificateFactory, StationFactory, VerificationItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(freeze):
    freeze("2026-11-22 10:00:00+08:00")
    return dt.date(2026, 11, 22)


def test_register_lists_authorized_stations_with_items_area_and_validity(client, today):
    """A5: the station, its items and area appear on the public register."""
    item = VerificationItemFactory(name="燃油加油机")
    certificate = CertificateFactory(
        station=StationFactory(name="中石化郑州计量站"),
        issued_on=dt.date(2025, 3, 1),
        items=[item],
        area="郑州市行政区域内",
    )
    page = client.get(reverse("register:index")).content.decode()
    for text in ("中石化郑州计量站", certificate.number, "燃油加油机", "郑州市行政区域内", "2028-02-29"):
        assert text in page


def test_expired_revoked_and_not_yet_valid_certificates_are_not_on_the_register(client, today, bureau):
    """A5, A7, A11: only the live authority of today is listed."""
    CertificateFactory(station=StationFactory(name="过期单位"), issued_on=dt.date(2023, 1, 1))
    revoked = CertificateFactory(station=StationFactory(name="撤销单位"), issued_on=dt.date(2025, 1, 1))
    services.certificate_revoke(certificate=revoked, by=bureau, decided_on=dt.date(2026, 10, 1), reason="违规")
    CertificateFactory(station=StationFactory(name="未来单位"), issued_on=dt.date(2026, 12, 1))
    CertificateFactory(station=StationFactory(name="有效单位"), issued_on=dt.date(2026, 1, 1))
    page = client.get(reverse("register:index")).content.decode()
    assert "有效单位" in page
    for absent in ("过期单位", "撤销单位", "未来单位"):
        assert absent not in page


def test_suspended_station_stays_listed_but_marked_suspended(client, today, bureau):
    """A10: the public can see that a station may not verify while suspended."""
    certificate = CertificateFactory(station=StationFactory(name="暂停单位"), issued_on=dt.date(2026, 1, 1))
    services.certificate_suspend(
        certificate=certificate,
        by=bureau,
        starts_on=dt.date(2026, 11, 1),
        planned_end_on=dt.date(2026, 12, 31),
        reason="整改",
    )
    page = client.get(reverse("register:index")).content.decode()
    assert "暂停单位" in page and "暂停授权" in page


def test_register_search_and_filters_narrow_the_list(client, today):
    """The register can be searched by name, number or item, and filtered by district."""
    CertificateFactory(
        station=StationFactory(name="新密电能计量中心", district="xinmi"),
        issued_on=dt.date(2026, 1, 1),
        items=[VerificationItemFactory(name="电能表")],
    )
    CertificateFactory(
        station=StationFactory(name="金水水表检定站", district="jinshui"),
        issued_on=dt.date(2026, 1, 1),
        items=[VerificationItemFactory(name="水表")],
    )
    by_item = client.get(reverse("register:index"), {"q": "水表"}).content.decode()
    assert "金水水表检定站" in by_item and "新密电能计量中心" not in by_item
    by_district = client.get(reverse("register:index"), {"district": "xinmi"}).content.decode()
    assert "新密电能计量中心" in by_district and "金水水表检定站" not in by_district


def test_revoked_list_shows_the_station_and_decision(client, today, bureau):
    """A11: the revoked stations are published."""
    certificate = CertificateFactory(station=StationFactory(name="被撤销的检定站"), issued_on=dt.date(2025, 1, 1))
    services.certificate_revoke(
        certificate=certificate, by=bureau, decided_on=dt.date(2026, 9, 1), reason="出具虚假检定证书"
    )
    page = client.get(reverse("register:revoked")).content.decode()
    assert "被撤销的检定站" in page and "2026年9月1日" in page and "出具虚假检定证书" in page


@pytest.mark.parametrize(
    ("issued", "verdict"),
    [
        (dt.date(2026, 1, 1), "今日（2026年11月22日）有效"),
        (dt.date(2023, 11, 23), "今日（2026年11月22日）有效"),  # last day of validity
        (dt.date(2023, 11, 22), "无效：已过期"),  # expired yesterday
        (dt.date(2026, 11, 23), "无效：尚未生效"),
    ],
)
def test_certificate_page_says_plainly_whether_it_is_valid_today(client, today, issued, verdict):
    """D2, A6: the QR code's page answers the one question: is this certificate valid today?"""
    certificate = CertificateFactory(issued_on=issued)
    page = client.get(reverse("register:certificate", args=[certificate.number])).content.decode()
    assert verdict in page


def test_certificate_page_of_a_revoked_certificate_says_so(client, today, bureau):
    """D2, A11."""
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
    services.certificate_revoke(certificate=certificate, by=bureau, decided_on=dt.date(2026, 10, 1), reason="违规")
    page = client.get(reverse("register:certificate", args=[certificate.number])).content.decode()
    assert "无效：已撤销" in page and "2026年10月1日" in page


def test_unknown_certificate_number_is_not_found(client):
    """D2: a forged number has no page."""
    assert client.get(reverse("register:certificate", args=["ZZJL-1999-9999"])).status_code == 404


def test_register_query_count_does_not_grow_with_stations(client, today, django_assert_max_num_queries):
    """Lists stay free of N+1 queries."""
    for _ in range(15):
        CertificateFactory(issued_on=dt.date(2026, 1, 1), items=[VerificationItemFactory(), VerificationItemFactory()])
    with django_assert_max_num_queries(8):
        client.get(reverse("register:index"))


# The list and the check page are kept rendered until a row they read changes (zzmetro/pagecache.py, issue 13).


def test_a_revocation_shows_at_once_on_pages_already_seen(client, today, bureau):
    """A11, D2: pages seen a moment ago show a revocation on the next visit: the check page says 已撤销, the
    register drops the station and the revoked list names it."""
    certificate = CertificateFactory(station=StationFactory(name="刚被撤销的检定站"), issued_on=dt.date(2025, 1, 1))
    check_url = reverse("register:certificate", args=[certificate.number])
    assert "有效" in client.get(check_url).content.decode()
    assert "刚被撤销的检定站" in client.get(reverse("register:index")).content.decode()
    assert "刚被撤销的检定站" not in client.get(reverse("register:revoked")).content.decode()
    services.certificate_revoke(certificate=certificate, by=bureau, decided_on=dt.date(2026, 11, 22), reason="违规")
    assert "无效：已撤销" in client.get(check_url).content.decode()
    assert "刚被撤销的检定站" not in client.get(reverse("register:index")).content.decode()
    assert "刚被撤销的检定站" in client.get(reverse("register:revoked")).content.decode()


def test_a_suspension_and_its_lifting_show_at_once(client, today, bureau):
    """A10, D2: the public sees a suspension the moment it is recorded, and its end as soon as it is lifted."""
    certificate = CertificateFactory(issued_on=dt.date(2026, 1, 1))
    check_url = reverse("register:certificate", args=[certificate.number])
    assert "今日（2026年11月22日）有效" in client.get(check_url).content.decode()
    services.certificate_suspend(
        certificate=certificate,
        by=bureau,
        starts_on=dt.date(2026, 11, 22),
        planned_end_on=dt.date(2026, 12, 31),
        reason="整改",
    )
    assert "暂停期间不得开展检定工作" in client.get(check_url).content.decode()
    assert "暂停授权" in client.get(reverse("register:index")).content.decode()
    services.certificate_lift_suspension(certificate=certificate, by=bureau, lifted_on=dt.date(2026, 11, 22))
    assert "今日（2026年11月22日）有效" in client.get(check_url).content.decode()


def test_a_renamed_station_or_item_shows_at_once(client, today):
    """A5: the register shows a station's and an item's current names, even changed by a plain update."""
    item = VerificationItemFactory(name="出租车计价器")
    certificate = CertificateFactory(
        station=StationFactory(name="旧名称计量站"), issued_on=dt.date(2026, 1, 1), items=[item]
    )
    client.get(reverse("register:index"))
    client.get(reverse("register:certificate", args=[certificate.number]))
    type(certificate.station).objects.filter(pk=certificate.station_id).update(name="新名称计量站")
    type(item).objects.filter(pk=item.pk).update(name="出租汽车计价器")
    for url in (reverse("register:index"), reverse("register:certificate", args=[certificate.number])):
        page = client.get(url).content.decode()
        assert "新名称计量站" in page and "旧名称计量站" not in page and "出租汽车计价器" in page


def test_the_next_day_shows_the_state_of_that_day(client, today, freeze):
    """A6: a certificate whose last day was yesterday reads 已过期 today, though no row changed overnight."""
    certificate = CertificateFactory(issued_on=dt.date(2023, 11, 23))
    check_url = reverse("register:certificate", args=[certificate.number])
    assert "今日（2026年11月22日）有效" in client.get(check_url).content.decode()
    freeze("2026-11-23 00:00:01+08:00")
    assert "无效：已过期" in client.get(check_url).content.decode()


def test_each_visitor_gets_its_own_frame_around_the_shared_list(client, today, officer1):
    """Actors: an officer sees the register with its own menu and name; an anonymous visitor after it sees 登录."""
    CertificateFactory(station=StationFactory(name="名录中的检定站"), issued_on=dt.date(2026, 1, 1))
    client.force_login(officer1)
    signed_in = client.get(reverse("register:index"))
    assert "名录中的检定站" in signed_in.content.decode() and reverse("logout") in signed_in.content.decode()
    assert "no-store" in signed_in["Cache-Control"]
    client.logout()
    anonymous = client.get(reverse("register:index")).content.decode()
    assert "名录中的检定站" in anonymous and reverse("logout") not in anonymous and reverse("login") in anonymous


def test_a_kept_page_costs_one_query(client, today, django_assert_num_queries):
    """D2: a certificate's check page seen before is answered with one small query while nothing changed."""
    certificate = CertificateFactory(issued_on=dt.date(2026, 1, 1))
    check_url = reverse("register:certificate", args=[certificate.number])
    client.get(check_url)
    with django_assert_num_queries(1):
        assert "有效" in client.get(check_url).content.decode()
