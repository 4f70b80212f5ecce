"""The TOTP second factor (DOMAIN G3), on django-otp: one authenticator-app device per account plus recovery codes.

Enrolment: a new, unconfirmed TOTP device is shown as a QR code; the first code the app shows confirms it. Then ten
single-use recovery codes (django-otp's static tokens) are shown once, for a lost phone. Staff reset another
account's devices in the admin; the owner enrols again at the next login.
"""

import math
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_DEVICE_NAME = "恢复码"
TOTP_DEVICE_NAME = "身份验证器"


def second_factor_required(user) -> bool:
    """Bureau staff and managers confirm a TOTP code wherever the deployment turns it on."""
    return settings.ZZ_REQUIRE_2FA and user.is_authenticated and getattr(user, "reads_everything", False)


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: kept across page loads, so the QR code scanned stays the one to confirm."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in the base32 form authenticator apps accept when typed in, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_enrolment(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending device with the app's first code; return the new recovery codes, or None if wrong."""
    if not device.verify_token(_digits(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user, count: int = 10) -> list[str]:
    """Replace the account's recovery codes; each works once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(user, token: str):
    """The confirmed device (authenticator or recovery code) that accepts `token`, or None."""
    with transaction.atomic():
        return match_token(user, _digits(token).lower())


def wait_seconds(user) -> int:
    """Seconds before the next code may be tried: django-otp doubles the wait after each wrong one (1, 2, 4 …)."""
    now = timezone.now()
    waits = [0]
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(math.ceil((data["locked_until"] - now).total_seconds()))
    return max(waits)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset_devices(user) -> int:
    """Remove every second-factor device of `user` (a lost phone); they enrol again at the next login."""
    count = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        count += 1
    return count


def _digits(token: str) -> str:
    return "".join(token.split())
