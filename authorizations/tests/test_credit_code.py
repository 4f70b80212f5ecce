"""A credit code is read as the register keeps it, however it was typed (DOMAIN A1, A11)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from authorizations import services
from authorizations.models import Station
from authorizations.selectors.applications import application_ban_lifts_on
from authorizations.validators import normalize_credit_code, validate_credit_code

from .factories import CertificateFactory, StationFactory

CODE = "91350100M000100Y43"  # GB 32100's published example
FULL_WIDTH = "９１３５０１００Ｍ０００１００Ｙ４３"


@pytest.mark.parametrize(
    "typed",
    [
        "91350100m000100y43",
        "9135 0100 M000 100Y 43",
        " 91350100M000100Y43\t",
        FULL_WIDTH,
        "９１３５０１００ｍ０００１００ｙ４３",
        "9135\u30000100M000100Y43",  # ideographic (full-width) space
        "91350100M000\u200b100Y43",  # zero-width space pasted from a web page
    ],
)
def test_code_typed_in_lower_case_with_spaces_or_full_width_is_read_as_the_register_keeps_it(typed):
    """A1: upper case, half-width, no spaces — and then it is valid."""
    assert normalize_credit_code(typed) == CODE
    validate_credit_code(typed)


def test_wrong_check_character_still_fails_with_the_chinese_message_after_normalising():
    """A1: normalising never hides a typo: full-width ４４ is still a wrong check character."""
    with pytest.raises(ValidationError) as error:
        validate_credit_code("９１３５０１００ｍ０００１００ｙ４４")
    assert "第18位应为“3”，实际为“4”" in error.value.messages[0]


def station_form(code: str) -> dict:
    return {
        "name": "测试单位",
        "credit_code": code,
        "address": "郑州",
        "district": "jinshui",
        "industry": "电力",
        "contact_person": "张",
        "contact_phone": "1",
        "officers-TOTAL_FORMS": 0,
        "officers-INITIAL_FORMS": 0,
        "certificates-TOTAL_FORMS": 0,
        "certificates-INITIAL_FORMS": 0,
    }


@pytest.mark.django_db
def test_staff_typing_a_full_width_code_in_the_admin_registers_the_normalised_code(admin_client_bureau):
    """A1: the admin station form accepts ９１３５… and stores 9135…; its input does not cap what is typed at 18."""
    page = admin_client_bureau.get(reverse("admin:authorizations_station_add")).content.decode()
    assert 'maxlength="18"' not in page.split('name="credit_code"')[1].split(">")[0]
    response = admin_client_bureau.post(
        reverse("admin:authorizations_station_add"), station_form("９１３５ ０１００ ｍ０００ １００ｙ ４３")
    )
    assert response.status_code == 302
    assert Station.objects.get().credit_code == CODE


@pytest.mark.django_db
def test_the_same_code_typed_differently_is_refused_as_already_registered(admin_client_bureau):
    """A1, A11: one legal entity, one station — lower case does not slip past the unique check."""
    StationFactory(credit_code=CODE)
    response = admin_client_bureau.post(reverse("admin:authorizations_station_add"), station_form("91350100m000100y43"))
    assert "该统一社会信用代码已登记" in response.content.decode()
    assert Station.objects.count() == 1


@pytest.mark.django_db
def test_admin_form_with_a_wrong_check_character_names_it_in_chinese(admin_client_bureau):
    """A1: a full-width typo is refused with the same message as a half-width one, and nothing is saved."""
    response = admin_client_bureau.post(
        reverse("admin:authorizations_station_add"), station_form("９１３５０１００Ｍ０００１００Ｙ４４")
    )
    assert "第18位应为“3”，实际为“4”" in response.content.decode()
    assert not Station.objects.exists()


@pytest.mark.django_db
def test_a_code_saved_by_an_import_or_script_is_stored_normalised():
    """A1: paths that skip forms (imports, seeds, the shell) store the normalised code too."""
    station = StationFactory(credit_code=" 91350100m000100y43 ")
    station.refresh_from_db()
    assert station.credit_code == CODE
    assert Station.objects.filter(credit_code=FULL_WIDTH).get() == station


@pytest.mark.django_db
def test_three_year_ban_is_found_whichever_way_the_code_is_typed(bureau):
    """A11: the ban is looked up by the normalised code."""
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1), station=StationFactory(credit_code=CODE))
    services.certificate_revoke(
        certificate=certificate, by=bureau, decided_on=dt.date(2026, 3, 2), reason="整改后仍不合格"
    )
    for typed in (CODE, "91350100m000100y43", FULL_WIDTH, "9135 0100 M000 100Y 43"):
        assert application_ban_lifts_on(credit_code=typed, day=dt.date(2027, 1, 1)) == dt.date(2029, 3, 2)
