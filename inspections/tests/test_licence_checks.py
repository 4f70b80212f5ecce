"""The special inspection's checks at their boundaries (DOMAIN L3a–L3d, T3, L1).

Spring Festival 2024: holidays 10–17 February, make-up working days Sunday 4 and Sunday 18 February;
Friday 9 February (New Year's Eve) is a working day.
"""

import datetime as dt

import pytest

from authorizations.validators import make_credit_code
from inspections.models import (
    EvaluationInstitution,
    InstitutionAuthorization,
    InstrumentType,
    IssuingLevel,
    KeyListEntry,
    LicenceEvent,
    LicenceFinding,
    LicenceVersion,
    Manufacturer,
    PatternApproval,
)
from inspections.services import licences
from inspections.services.licence_checks import WorkingDays, run_checks
from inspections.services.licences import Publicity, Scope

pytestmark = pytest.mark.django_db
D = dt.date
Rule = LicenceFinding.Rule
TODAY = D(2024, 12, 31)


def manufacturer(n=1):
    return Manufacturer.objects.create(
        name=f"郑州第{n}电表有限公司", credit_code=make_credit_code(f"91410100{n:09d}"), city="郑州市"
    )


def electricity():
    return InstrumentType.objects.get(code="electricity_meter")


def approval(holder, *, number="", models="DDS666", approved_on=D(2023, 5, 10), authorized=True):
    institution, _ = EvaluationInstitution.objects.get_or_create(name="河南省计量科学研究院")
    if authorized:
        InstitutionAuthorization.objects.get_or_create(
            institution=institution, instrument_type=electricity(), defaults={"authorized_from": D(2015, 1, 1)}
        )
    return PatternApproval.objects.create(
        number=number or f"2023F{PatternApproval.objects.count() + 101}-41",
        manufacturer=holder,
        instrument_type=electricity(),
        model_names=models,
        institution=institution,
        department="河南省质量技术监督局计量处",
        level=IssuingLevel.PROVINCE,
        approved_on=approved_on,
    )


def grant(holder=None, *, accepted_on=D(2024, 1, 15), decided_on=D(2024, 2, 8), model="DDS666", approvals=None,
          publicity=None, instrument_type=None, number="(豫)制00000001号"):  # fmt: skip
    holder = holder or manufacturer()
    approvals = [approval(holder)] if approvals is None else approvals
    return licences.licence_grant(
        number=number,
        holder=holder,
        department="河南省质量技术监督局计量处",
        level=IssuingLevel.PROVINCE,
        accepted_on=accepted_on,
        decided_on=decided_on,
        scope=[Scope(instrument_type or electricity(), model, "5(60)A")],
        approvals=approvals,
        publicity=publicity
        or Publicity(decided_on + dt.timedelta(days=3), "website", decided_on + dt.timedelta(days=3)),
        by=None,
    )


def findings(licence, rule=None):
    rows = LicenceFinding.objects.filter(licence=licence)
    return list(rows.filter(rule=rule) if rule else rows)


def test_working_days_follow_the_spring_festival_arrangement_with_its_make_up_days():
    """T3: the holidays are not counted, the make-up Sundays are; the first day of a period is not counted."""
    days = WorkingDays(D(2024, 1, 1), D(2024, 3, 31))
    assert days.is_working_day(D(2024, 2, 4))  # Sunday, made up
    assert not days.is_working_day(D(2024, 2, 12))  # Monday in the holiday
    assert days.is_working_day(D(2024, 2, 18))  # Sunday, made up
    assert days.after(D(2024, 2, 8), D(2024, 2, 18)) == 2  # Friday 9 and Sunday 18
    assert days.after(D(2024, 2, 2), D(2024, 2, 5)) == 2  # Sunday 4 and Monday 5; Friday 2 itself not counted
    assert days.within(D(2024, 2, 4), D(2024, 2, 4)) == 1


def test_working_days_of_a_year_without_a_published_arrangement_count_weekends_only_and_say_so():
    """T3: a year the library has no arrangement for counts weekends only, and the note says so."""
    days = WorkingDays(D(2031, 1, 1), D(2031, 1, 31))
    assert days.after(D(2031, 1, 3), D(2031, 1, 10)) == 5  # New Year's Day would not be known
    assert "2031年节假日安排尚未收录" in days.unpublished_note(D(2031, 1, 3), D(2031, 1, 10))


def test_a_decision_on_the_20th_working_day_across_the_spring_festival_is_in_time():
    """L3b, T3: accepted 22 January 2024, decided 22 February: 20 working days, both make-up Sundays counted
    and the eight holidays not."""
    licence = grant(accepted_on=D(2024, 1, 22), decided_on=D(2024, 2, 22))
    run_checks(today=TODAY)
    assert findings(licence, Rule.OVERDUE) == []


def test_a_decision_on_the_21st_working_day_across_the_spring_festival_is_overdue():
    """L3b, T3: one working day more (23 February) is 超期办理, with the numbers in the message."""
    licence = grant(accepted_on=D(2024, 1, 22), decided_on=D(2024, 2, 23))
    run_checks(today=TODAY)
    (finding,) = findings(licence, Rule.OVERDUE)
    assert finding.message == "受理至决定用时21个工作日（时限20个工作日）"
    assert finding.numbers["working_days"] == 21 and finding.status == LicenceFinding.Status.OPEN


def test_a_recorded_extension_allows_30_working_days_and_not_31():
    """L3b: with a 10-day extension approved and recorded, 30 working days are in time, 31 are not."""
    in_time = grant(accepted_on=D(2024, 3, 1), decided_on=D(2024, 4, 15), number="A")  # 30 working days
    late = grant(manufacturer(2), accepted_on=D(2024, 3, 1), decided_on=D(2024, 4, 16), number="B")
    for licence in (in_time, late):
        licences.licence_record_extension(licence=licence, approved_on=D(2024, 3, 25), approved_by="张处长", by=None)
    run_checks(today=TODAY)
    assert findings(in_time, Rule.OVERDUE) == []
    (finding,) = findings(late, Rule.OVERDUE)
    assert finding.message == "受理至决定用时31个工作日（时限30个工作日，含延长10个工作日）"


def test_an_excluded_type_evaluation_period_is_deducted_and_named():
    """L3b (行政许可法 第四十五条): the type-evaluation period's working days are deducted; what remains is compared."""
    licence = grant(accepted_on=D(2024, 3, 1), decided_on=D(2024, 4, 19))  # 34 working days elapsed
    licences.licence_record_excluded_period(
        licence=licence, kind="type_evaluation", starts_on=D(2024, 3, 11), ends_on=D(2024, 3, 22), by=None
    )  # 10 working days
    run_checks(today=TODAY)
    (finding,) = findings(licence, Rule.OVERDUE)
    assert finding.message == "受理至决定用时24个工作日（时限20个工作日；已扣除型式评价10个工作日）"
    licences.licence_record_excluded_period(
        licence=licence, kind="expert_review", starts_on=D(2024, 4, 1), ends_on=D(2024, 4, 5), by=None
    )  # 1–3 April; 4–5 April are the Qingming holiday
    run_checks(today=TODAY)
    (finding,) = findings(licence, Rule.OVERDUE)
    assert finding.numbers["working_days"] == 21


def test_a_scope_type_added_to_the_key_list_after_the_decision_is_beyond_the_list():
    """L3a, L1: a type listed from the day after the decision was not key-managed then → 超范围许可; a licence
    decided on the listing day is within the list."""
    newcomer = InstrumentType.objects.create(code="sphygmomanometer", name="血压计")
    KeyListEntry.objects.create(
        instrument_type=newcomer, legal_name="血压计", catalogue="第三批目录", valid_from=D(2024, 2, 9)
    )
    holder = manufacturer()
    approvals = [approval(holder)]
    PatternApproval.objects.filter(pk=approvals[0].pk).update(instrument_type=newcomer)
    before = grant(holder, decided_on=D(2024, 2, 8), instrument_type=newcomer, approvals=[], number="A")
    on_day = grant(holder, decided_on=D(2024, 2, 9), instrument_type=newcomer, approvals=[], number="B")
    run_checks(today=TODAY)
    (finding,) = findings(before, Rule.SCOPE_TYPE)
    assert "不在许可决定日2024-02-08有效的重点管理计量器具目录中" in finding.message
    assert findings(on_day, Rule.SCOPE_TYPE) == []
    assert findings(before, Rule.SCOPE_APPROVAL) == [] and findings(on_day, Rule.SCOPE_APPROVAL) == []


def test_a_scope_model_without_a_pattern_approval_of_the_same_maker_and_type_is_beyond_approval():
    """L3a: the model must be covered by the holder's own approval of the same type; case and spaces do not matter."""
    holder = manufacturer()
    covered = grant(holder, model="dds 666", number="A")
    uncovered = grant(holder, model="DTS666", approvals=[], number="B")
    other = manufacturer(2)
    approval(other, number="2023F999-41", models="DTS777")
    foreign = grant(other, model="DDS666", approvals=[], number="C")  # only the first maker's approval covers it
    run_checks(today=TODAY)
    assert findings(covered, Rule.SCOPE_APPROVAL) == []
    (finding,) = findings(uncovered, Rule.SCOPE_APPROVAL)
    assert finding.message == "许可范围中的电能表型号“DTS666”没有本企业同类器具的型式批准"
    assert len(findings(foreign, Rule.SCOPE_APPROVAL)) == 1


def test_an_evaluation_institution_authorized_the_day_after_the_approval_was_not_authorized():
    """L3c: authorized on 11 May for an approval of 10 May → 型式评价机构未经授权; authorized on 10 May → fine."""
    holder = manufacturer()
    late = approval(holder, number="2023F101-41", authorized=False)
    InstitutionAuthorization.objects.create(
        institution=late.institution, instrument_type=electricity(), authorized_from=D(2023, 5, 11)
    )
    licence = grant(holder, approvals=[late])
    run_checks(today=TODAY)
    (finding,) = findings(licence, Rule.INSTITUTION)
    assert finding.message == (
        "型式批准2023F101-41的型式评价机构“河南省计量科学研究院”在批准日2023-05-10未获电能表型式评价授权"
    )
    InstitutionAuthorization.objects.update(authorized_from=D(2023, 5, 10))
    run_checks(today=TODAY)
    assert findings(licence, Rule.INSTITUTION) == []


def test_an_announcement_on_the_20th_working_day_is_in_time_and_on_the_21st_late():
    """L3d: decided 8 February 2024; the 20th working day after is 13 March (the holidays not counted, the make-up
    Sunday counted), the 21st is 14 March → 未及时公告. Filing follows the same limit → 未报总局备案."""
    in_time = grant(publicity=Publicity(D(2024, 3, 13), "website", D(2024, 3, 13)), number="A")
    late = grant(manufacturer(2), publicity=Publicity(D(2024, 3, 14), "newspaper", D(2024, 3, 14)), number="B")
    run_checks(today=TODAY)
    assert findings(in_time, Rule.ANNOUNCEMENT) == [] and findings(in_time, Rule.FILING) == []
    (announced,) = findings(late, Rule.ANNOUNCEMENT)
    assert announced.message == "核准决定（2024-02-08）后第21个工作日才公告（时限20个工作日）"
    (filed,) = findings(late, Rule.FILING)
    assert filed.message == "核准决定（2024-02-08）后第21个工作日才报总局备案（时限20个工作日）"


def test_a_decision_not_yet_announced_is_flagged_only_once_the_limit_has_passed():
    """L3d: no announcement yet is fine up to the 20th working day after the decision, and flagged after it."""
    licence = grant(publicity=Publicity())
    run_checks(today=D(2024, 3, 13))
    assert findings(licence) == []
    run_checks(today=D(2024, 3, 14))
    assert {f.rule for f in findings(licence)} == {Rule.ANNOUNCEMENT, Rule.FILING}
    assert (
        findings(licence, Rule.ANNOUNCEMENT)[0].message
        == "核准决定（2024-02-08）已过21个工作日仍未公告（时限20个工作日）"
    )


def test_a_cancellation_has_its_own_announcement_deadline():
    """L3d, L5: a cancellation is a decision announced and filed within 20 working days too."""
    licence = grant()
    licences.licence_cancel(licence=licence, decided_on=D(2024, 6, 3), reason="企业申请注销", by=None)
    run_checks(today=D(2024, 12, 31))
    assert {f.key.split(":")[0] for f in findings(licence)} == {"announcement", "filing"}
    assert all("注销决定（2024-06-03）" in f.message for f in findings(licence))


def test_rerunning_replaces_open_findings_and_keeps_confirmed_and_explained_ones(bureau):
    """L3: a re-run raises nothing staff already handled, leaves open findings still true as they are, and drops
    those no longer true."""
    licence = grant(accepted_on=D(2024, 1, 22), decided_on=D(2024, 2, 27), model="DTS666", approvals=[])
    run_checks(today=TODAY)
    overdue, scope = findings(licence, Rule.OVERDUE)[0], findings(licence, Rule.SCOPE_APPROVAL)[0]
    licences.finding_confirm(finding=overdue, by=bureau, note="确认超期一日")
    counts = run_checks(today=TODAY)
    assert (counts["kept"], counts["unchanged"], counts["found"], counts["removed"]) == (1, 1, 0, 0)
    assert findings(licence, Rule.OVERDUE) == [overdue]
    approval(licence.holder, models="DTS666")
    assert run_checks(today=TODAY)["removed"] == 1
    assert findings(licence, Rule.SCOPE_APPROVAL) == []
    overdue.refresh_from_db()
    assert overdue.status == LicenceFinding.Status.CONFIRMED and scope.pk not in {f.pk for f in findings(licence)}


def test_checking_one_licence_leaves_the_others_findings_alone():
    """L3: a check of one licence (on save) replaces only that licence's open findings."""
    first = grant(model="X1", approvals=[], number="A")
    second = grant(manufacturer(2), model="X2", approvals=[], number="B")
    run_checks(today=TODAY)
    before = {f.pk for f in findings(second)}
    run_checks([first], today=TODAY)
    assert {f.pk for f in findings(second)} == before and len(findings(first)) == 1


def test_a_check_run_is_recorded_as_an_event(bureau):
    """A12: findings appear and open ones go only in a run, so each run leaves an event with its counts."""
    grant(model="X1", approvals=[])
    run_checks(by=bureau, today=TODAY)
    event = LicenceEvent.objects.filter(action="check").get()
    assert event.by == bureau and "新发现问题1项" in event.note


def test_the_check_reads_the_register_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    """L3: the number of queries does not grow with the register (bulk reads, one bulk insert)."""
    for n in range(1, 13):
        grant(manufacturer(n), model=f"M{n}", approvals=[], number=f"N{n}")
    with django_assert_max_num_queries(20):
        run_checks(today=TODAY)
    assert LicenceVersion.objects.count() == 12
