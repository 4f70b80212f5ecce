"""The licence register at the boundaries a review found open (DOMAIN L2, L3a–L3d, L5, T3): the public list's state
today, overlapping excluded periods, findings following edits, a change checked on its own date, decisions dated after
today, impossible import dates, whole finding texts and repeated scope lines."""

import datetime as dt

import pytest
from django.urls import reverse

from inspections import licence_import as importer
from inspections.models import (
    EvaluationInstitution,
    InstitutionAuthorization,
    InstrumentType,
    KeyListEntry,
    LicenceCheckPolicy,
    LicenceFinding,
    ManufacturingLicence,
    PatternApproval,
)
from inspections.services import licences
from inspections.services.licence_checks import WorkingDays, run_checks
from inspections.services.licences import Scope
from inspections.tests.test_licence_checks import approval, electricity, findings, grant, manufacturer
from inspections.tests.test_licence_import import (
    CODE_A,
    approval_row,
    import_approvals,
    import_licences,
    licence_row,
)
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError

pytestmark = pytest.mark.django_db
D = dt.date
Rule = LicenceFinding.Rule
DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------- L5: the public list says what holds today


def status_cell(client, number):
    text = client.get("/register/manufacturers/", {"number": number}).content.decode()
    text = text[text.index("<tbody>") :]
    row = text[text.index(number) :]
    return row[: row.index("</tr>")]


def test_the_public_list_marks_a_licence_past_its_validity_as_expired_with_the_date(client):
    """L5: a licence valid until yesterday is 已过期 with its date; one valid until today is still 有效."""
    today = beijing_today()
    expired = grant(number="(豫)制00000011号", accepted_on=D(2024, 1, 15), decided_on=D(2024, 2, 8))
    last_day = grant(manufacturer(2), number="(豫)制00000012号", accepted_on=D(2024, 1, 15), decided_on=D(2024, 2, 8))
    ManufacturingLicence.objects.filter(pk=expired.pk).update(valid_until=today - DAY)
    ManufacturingLicence.objects.filter(pk=last_day.pk).update(valid_until=today)

    cell = status_cell(client, expired.number)
    assert "已过期" in cell and f"{today - DAY:%Y年}{(today - DAY).month}月{(today - DAY).day}日" in cell
    assert "有效</span>" not in cell
    cell = status_cell(client, last_day.number)
    assert "badge in_force" in cell and "已过期" not in cell


def test_the_public_list_does_not_show_a_licence_decided_after_today(client):
    """L5: a licence whose decision date is after today (an old record typed ahead) is not listed as licensed."""
    licence = grant(number="(豫)制00000013号")
    ManufacturingLicence.objects.filter(pk=licence.pk).update(decided_on=beijing_today() + DAY)
    text = client.get("/register/manufacturers/", {"number": licence.number}).content.decode()
    text = text[text.index("<tbody>") :]
    assert licence.number not in text and "没有符合条件的获证企业" in text


# ---------------------------------------------------------------- L3b: overlapping excluded periods count once


def test_overlapping_excluded_periods_are_deducted_once():
    """L3b: the same days recorded as expert review and as type evaluation are deducted once (26 > 20 → overdue);
    two adjoining periods deduct exactly what one period over both would."""
    licence = grant(accepted_on=D(2026, 3, 2), decided_on=D(2026, 4, 30), number="A")
    for kind in ("expert_review", "type_evaluation"):
        licences.licence_record_excluded_period(
            licence=licence, kind=kind, starts_on=D(2026, 3, 10), ends_on=D(2026, 3, 31), by=None
        )
    adjoining = grant(manufacturer(2), accepted_on=D(2026, 3, 2), decided_on=D(2026, 4, 30), number="B")
    for first, last in ((D(2026, 3, 10), D(2026, 3, 20)), (D(2026, 3, 21), D(2026, 3, 31))):
        licences.licence_record_excluded_period(
            licence=adjoining, kind="expert_review", starts_on=first, ends_on=last, by=None
        )
    run_checks(today=D(2026, 5, 1))
    (finding,) = findings(licence, Rule.OVERDUE)
    assert finding.numbers["working_days"] == 26
    assert "重叠日期只计一次" in finding.message
    (finding,) = findings(adjoining, Rule.OVERDUE)
    assert finding.numbers["working_days"] == 26


# ---------------------------------------------------------------- L3: findings follow edits of what checks read


def test_importing_an_approval_that_covers_the_model_clears_the_beyond_approval_finding(bureau):
    """L3a: a licence imported without an approval for its model is flagged; importing the approval re-checks it."""
    EvaluationInstitution.objects.create(name="河南省计量科学研究院", province="河南省")
    assert import_licences(bureau, [licence_row(approvals="")]).ok
    licence = ManufacturingLicence.objects.get()
    assert findings(licence, Rule.SCOPE_APPROVAL)
    assert import_approvals(bureau, [approval_row()]).ok
    assert findings(licence, Rule.SCOPE_APPROVAL) == []


def test_editing_an_approval_or_the_time_limits_in_the_admin_rechecks_the_licences(admin_client_bureau):
    """L3a, L3b: widening an approval's models and raising the time limit in the admin clear the findings at once."""
    holder = manufacturer()
    certificate = approval(holder, models="DDS666")
    licence = grant(holder, model="DTS666", approvals=[certificate], accepted_on=D(2024, 3, 1),
                    decided_on=D(2024, 4, 19))  # fmt: skip  # 34 working days
    run_checks()
    assert findings(licence, Rule.SCOPE_APPROVAL) and findings(licence, Rule.OVERDUE)

    response = admin_client_bureau.post(
        reverse("admin:inspections_patternapproval_change", args=[certificate.pk]),
        {
            "number": certificate.number, "manufacturer": holder.pk, "instrument_type": electricity().pk,
            "model_names": "DDS666、DTS666", "measuring_range": "", "accuracy_class": "",
            "institution": certificate.institution_id, "report_number": "", "department": certificate.department,
            "level": certificate.level, "approved_on": "2023-05-10",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert findings(licence, Rule.SCOPE_APPROVAL) == []

    policy = LicenceCheckPolicy.current()
    response = admin_client_bureau.post(
        reverse("admin:inspections_licencecheckpolicy_change", args=[policy.pk]),
        {"decision_days": 40, "announcement_days": 20, "filing_days": 20},
    )
    assert response.status_code == 302
    assert findings(licence, Rule.OVERDUE) == []


def test_an_authorization_or_catalogue_change_rechecks_through_the_service():
    """L3a, L3c: the re-check services clear a finding the edit answered."""
    from inspections.services.licence_checks import recheck_for_institutions, recheck_for_types

    holder = manufacturer()
    certificate = approval(holder, authorized=False)
    licence = grant(holder, approvals=[certificate])
    run_checks()
    assert findings(licence, Rule.INSTITUTION)
    InstitutionAuthorization.objects.create(
        institution=certificate.institution, instrument_type=electricity(), authorized_from=D(2015, 1, 1)
    )
    recheck_for_institutions([certificate.institution_id])
    assert findings(licence, Rule.INSTITUTION) == []

    KeyListEntry.objects.filter(instrument_type=electricity()).update(valid_from=D(2025, 1, 1))
    recheck_for_types([electricity().pk])
    assert findings(licence, Rule.SCOPE_TYPE)


# ---------------------------------------------------------------- L3d/L2: an imported cancellation's publicity


def test_an_imported_cancellation_with_its_announcement_and_filing_raises_no_finding(bureau):
    """L3d, L2: the template's cancellation columns are kept on the cancellation, so a historical cancellation
    announced and filed in time is not flagged; one without them still is."""
    EvaluationInstitution.objects.create(name="河南省计量科学研究院", province="河南省")
    assert import_approvals(bureau, [approval_row()]).ok
    cancelled = {"cancelled_on": D(2017, 6, 1)}
    outcome = import_licences(
        bureau,
        [
            licence_row(**cancelled, cancel_announced_on=D(2017, 6, 5), cancel_announced_via="网站",
                        cancel_filed_on=D(2017, 6, 6)),
            licence_row(number="豫制00000002号", model="DTS666", **cancelled),
        ],
    )  # fmt: skip
    assert outcome.ok, outcome.errors
    announced = ManufacturingLicence.objects.get(number="豫制00000001号")
    version = announced.versions.get(kind="cancel")
    assert (version.announced_on, version.announced_via, version.filed_on) == (D(2017, 6, 5), "website", D(2017, 6, 6))
    assert findings(announced, Rule.ANNOUNCEMENT) == [] and findings(announced, Rule.FILING) == []
    silent = ManufacturingLicence.objects.get(number="豫制00000002号")
    assert findings(silent, Rule.ANNOUNCEMENT) and findings(silent, Rule.FILING)


# ---------------------------------------------------------------- L3a/L3d: each decision on its own date


def test_a_scope_line_added_by_a_change_is_checked_against_the_catalogue_on_the_change_date():
    """L3a, L1: a type dropped from the catalogue at the end of 2017 is within it for a 2016 grant, and beyond it
    for a line a 2019 change adds; the line the change kept keeps its grant date."""
    old_type = InstrumentType.objects.create(code="retired_meter", name="旧目录器具")
    KeyListEntry.objects.create(
        instrument_type=old_type, legal_name="旧目录器具", catalogue="旧目录", valid_from=D(2000, 1, 1),
        valid_to=D(2017, 12, 31),
    )  # fmt: skip
    holder = manufacturer()
    licence = licences.licence_grant(
        number="(豫)制00000021号", holder=holder, department="河南省质量技术监督局计量处", level="province",
        accepted_on=D(2016, 4, 1), decided_on=D(2016, 4, 20), scope=[Scope(old_type, "OLD-1")], by=None,
    )  # fmt: skip
    licences.licence_change(
        licence=licence, decided_on=D(2019, 3, 1), summary="增加型号", by=None,
        scope=[Scope(old_type, "OLD-1"), Scope(old_type, "OLD-2")],
    )  # fmt: skip
    run_checks(today=D(2019, 3, 2))
    flagged = findings(licence, Rule.SCOPE_TYPE)
    assert len(flagged) == 1
    assert "OLD-2" in flagged[0].message and "2019-03-01" in flagged[0].message


def test_a_revocation_is_not_checked_for_publicity_but_a_cancellation_is():
    """L3d names grants, changes and cancellations: an unannounced revocation raises nothing, a cancellation does."""
    revoked = grant(number="A")
    licences.licence_revoke(licence=revoked, decided_on=D(2024, 6, 3), reason="超出目录发证", by=None)
    cancelled = grant(manufacturer(2), number="B")
    licences.licence_cancel(licence=cancelled, decided_on=D(2024, 6, 3), reason="企业申请注销", by=None)
    run_checks(today=D(2024, 12, 31))
    assert findings(revoked, Rule.ANNOUNCEMENT) == [] and findings(revoked, Rule.FILING) == []
    assert findings(cancelled, Rule.ANNOUNCEMENT) and findings(cancelled, Rule.FILING)


def test_no_decision_dated_after_today_is_accepted():
    """L2, L5: a grant, change or cancellation dated tomorrow is refused; one dated today is recorded."""
    today = beijing_today()
    with pytest.raises(DomainError, match="晚于今天"):
        grant(accepted_on=today - DAY, decided_on=today + DAY, number="A")
    licence = grant(manufacturer(2), accepted_on=today - DAY, decided_on=today, number="B")
    with pytest.raises(DomainError, match="晚于今天"):
        licences.licence_change(licence=licence, decided_on=today + DAY, summary="变更", by=None)
    with pytest.raises(DomainError, match="晚于今天"):
        licences.licence_cancel(licence=licence, decided_on=today + DAY, reason="注销", by=None)
    licences.licence_cancel(licence=licence, decided_on=today, reason="注销", by=None)
    assert ManufacturingLicence.objects.get(pk=licence.pk).ended_on == today


# ---------------------------------------------------------------- L2/L3b: impossible import dates, whole texts


def test_the_import_refuses_impossible_dates_by_row_and_column(bureau):
    """L2, L3b: acceptance before 1990, a decision after today and an acceptance after the decision are refused with
    their row and column; 1990-01-01 and today are accepted."""
    today = beijing_today()
    outcome = import_licences(
        bureau,
        [
            licence_row(approvals="", accepted_on=D(1989, 12, 31)),
            licence_row(number="B", approvals="", decided_on=today + DAY, announced_on=None, announced_via=None,
                        filed_on=None),
            licence_row(number="C", approvals="", accepted_on=D(2016, 4, 26)),
        ],
    )  # fmt: skip
    found = {(e.row, e.column) for e in outcome.errors}
    assert found == {(2, "受理日期"), (3, "许可决定日期"), (4, "许可决定日期")}
    assert not ManufacturingLicence.objects.exists()
    outcome = import_licences(
        bureau,
        [licence_row(approvals="", accepted_on=D(1990, 1, 1), decided_on=today, announced_on=None,
                     announced_via=None, filed_on=None, valid_until=None)],
    )  # fmt: skip
    assert outcome.ok, outcome.errors


def test_unpublished_years_are_summarised_as_a_range():
    """T3, L3b: years without a holiday arrangement are named as a range, not one by one."""
    days = WorkingDays(D(1990, 1, 1), D(2003, 12, 31))
    assert days.unpublished_note(D(1990, 1, 1), D(2003, 12, 31)) == "（1990–2003年节假日安排尚未收录，按周末计算）"


def test_a_long_finding_text_is_stored_whole():
    """L3c: a finding naming a long institution, type and certificate number is kept to its last character."""
    long_type = InstrumentType.objects.get(code="electricity_meter")
    InstrumentType.objects.filter(pk=long_type.pk).update(name="电" * 50)
    institution = EvaluationInstitution.objects.create(name="机" * 200)
    holder = manufacturer()
    certificate = PatternApproval.objects.create(
        number="F" * 50, manufacturer=holder, instrument_type=long_type, model_names="DDS666", institution=institution,
        department="河南省质量技术监督局计量处", level="province", approved_on=D(2023, 5, 10),
    )  # fmt: skip
    licence = grant(holder, approvals=[certificate])
    run_checks(today=D(2024, 12, 31))
    (finding,) = findings(licence, Rule.INSTITUTION)
    assert len(finding.message) > 300 and finding.message.endswith("型式评价授权")


# ---------------------------------------------------------------- L2: one line per type and model


def test_a_repeated_scope_line_is_refused_by_row(bureau):
    """L2: the same type and model twice in one licence names the repeating row and its first row."""
    outcome = import_licences(bureau, [licence_row(approvals=""), licence_row(approvals="", model=" dds666 ")])
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "型号")]
    assert "与第2行重复" in outcome.errors[0].message
    assert not ManufacturingLicence.objects.exists()
    with pytest.raises(DomainError, match="重复"):
        licences.licence_grant(
            number="X", holder=manufacturer(), department="计量处", level="province", accepted_on=D(2024, 1, 2),
            decided_on=D(2024, 1, 3), scope=[Scope(electricity(), "DDS666"), Scope(electricity(), "DDS666")],
            by=None,
        )  # fmt: skip


def test_the_licence_template_has_the_cancellation_columns():
    """L3d: the template asks for the cancellation's announcement and filing."""
    headers = [f.header for f in importer.LICENCE_FIELDS]
    assert headers[-4:] == ["注销日期", "注销公告日期", "注销公告方式", "注销报总局备案日期"]
    assert CODE_A
