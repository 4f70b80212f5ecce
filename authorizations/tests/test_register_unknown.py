"""The certificate check page for a number the register does not hold, and numbers typed by hand (DOMAIN D2)."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse

from .factories import CertificateFactory, StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(freeze):
    freeze("2026-11-22 10:00:00+08:00")
    return dt.date(2026, 11, 22)


def check_page(client, number: str):
    return client.get(f"/register/certificates/{quote(number, safe='')}/")


def test_unknown_number_says_plainly_it_was_not_found_and_may_be_forged(client, today):
    """D2: the QR code of a forged certificate leads here; the page says so in Chinese, still as a 404."""
    response = check_page(client, "ZZJL-1999-9999")
    page = response.content.decode()
    assert response.status_code == 404
    assert "未查到该证书" in page and "ZZJL-1999-9999" in page
    assert "可能是伪造的" in page
    assert "0371-67184802" in page  # whom to tell
    assert reverse("register:index") in page and reverse("register:revoked") in page
    assert "授权单位名录" in page  # the portal's own layout, not a bare error page


@pytest.mark.parametrize(
    "typed",
    ["zzjl-2026-0001", " ZZJL-2026-0001 ", "ＺＺＪＬ－２０２６－０００１", "ZZJL—2026—0001", "ZZJL-2026-\u200b0001"],
)
def test_number_typed_in_lower_case_full_width_or_with_a_chinese_dash_finds_the_certificate(client, today, typed):
    """D2: a number copied off the paper certificate by hand finds the same page as the QR code."""
    CertificateFactory(
        number="ZZJL-2026-0001", station=StationFactory(name="新密市供电公司计量中心"), issued_on=dt.date(2026, 1, 1)
    )
    response = check_page(client, typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "新密市供电公司计量中心" in page and "今日（2026年11月22日）有效" in page


def test_text_that_is_no_certificate_number_is_not_repeated_on_the_page(client, today):
    """D2: a crafted link cannot make the bureau's page say what its author wants."""
    response = check_page(client, "本证书有效请致电13800000000")
    page = response.content.decode()
    assert response.status_code == 404
    assert "未查到该证书" in page and "13800000000" not in page


def test_a_nul_character_in_a_hand_made_link_is_a_not_found_page_not_a_server_error(client, today):
    """D2: PostgreSQL refuses NUL in a query; the page must still answer."""
    response = check_page(client, "ZZJL-1999\x00-9999")
    assert response.status_code == 404 and "未查到该证书" in response.content.decode()
