"""The second factor in headless Chromium: a manager enrols by QR code, then signs in again with a recovery code."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from authorizations.tests.factories import UserFactory
from zzmetro.pytest_browser import log_in

pytestmark = pytest.mark.browser


def test_a_manager_enrols_an_authenticator_and_signs_in_with_its_code_then_a_recovery_code(new_page, settings):
    """G3: with the second factor on, the first login shows a QR code; the code the app computes from the enrolled
    key opens the dashboard; a later login accepts one of the recovery codes shown at enrolment."""
    settings.ZZ_REQUIRE_2FA = True
    manager = UserFactory(manager=True, username="manager")
    page = new_page()
    log_in(page, "manager")
    expect(page.get_by_role("heading", name="启用双因素认证")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()

    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    page.get_by_label("验证码").fill(f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}")
    page.get_by_role("button", name="绑定并登录").click()
    expect(page.get_by_role("heading", name="双因素认证恢复码")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("link", name="监管看板")).to_be_visible()

    later = new_page()
    log_in(later, "manager")
    expect(later.get_by_role("heading", name="双因素认证")).to_be_visible()
    later.goto("/dashboard/")
    expect(later).to_have_url(re.compile(r"/accounts/otp/verify/"))
    later.get_by_label("验证码").fill("wrongcode")
    later.get_by_role("button", name="验证").click()
    expect(later.locator(".errorlist")).to_contain_text("验证码不正确")
    later.wait_for_timeout(1500)  # django-otp's wait after a wrong code: 1 second, doubling with each one
    later.get_by_label("验证码").fill(codes[0])
    later.get_by_role("button", name="验证").click()
    expect(later).to_have_url(re.compile(r"/dashboard/$"))
    expect(later.locator(".messages")).to_contain_text("您使用了一个恢复码，还剩9个")
