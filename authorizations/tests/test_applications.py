"""Application, acceptance, preparation and assessment (DOMAIN A2–A4, A11, A12)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from authorizations import services
from authorizations.models import Application, AssessmentFinding, LifecycleEvent
from zzmetro.errors import DomainError
from zzmetro.testing import pdf_bytes

from .factories import ApplicationFactory, CertificateFactory, StationFactory, UserFactory, VerificationItemFactory

pytestmark = pytest.mark.django_db

ALL_CONFORM = {c.value: (AssessmentFinding.Result.CONFORMS, "") for c in AssessmentFinding.Criterion}
CONDITIONS = {
    "prep_standards": "电能表检定装置",
    "prep_environment": "恒温实验室",
    "prep_personnel": "3名持证检定员",
    "prep_management": "质量手册",
}


def submit(station, **kwargs):
    kwargs.setdefault("items", [VerificationItemFactory()])
    kwargs.setdefault("area", "新密市行政区域内")
    kwargs.setdefault("today", dt.date(2026, 3, 2))
    return services.application_submit(station=station, by=None, **kwargs)


def test_filed_application_lists_items_and_area_and_records_an_event():
    """A2, A12: the application keeps its items and area; the filing is an event."""
    station = StationFactory()
    items = [VerificationItemFactory(), VerificationItemFactory()]
    application = submit(station, items=items)
    assert application.status == Application.Status.SUBMITTED
    assert set(application.items.all()) == set(items)
    assert application.number.startswith("ZZSQ-2026-")
    event = LifecycleEvent.objects.get(application=application)
    assert event.action == "submit" and event.to_state == "已提交，待受理"


def test_application_without_items_or_area_is_refused_and_nothing_is_saved():
    """A2: a clear message names the missing part; no application row is left behind."""
    station = StationFactory()
    with pytest.raises(DomainError, match="至少选择一个"):
        submit(station, items=[])
    with pytest.raises(DomainError, match="检定区域"):
        submit(station, area="  ")
    assert not Application.objects.exists()


def test_accepting_issues_a_numbered_acceptance_notice(bureau):
    """A2: acceptance (受理) records the date and the notice number."""
    application = submit(StationFactory())
    services.application_accept(application=application, by=bureau, today=dt.date(2026, 3, 9))
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.accepted_on == dt.date(2026, 3, 9)
    assert application.acceptance_number == "郑质监量受〔2026〕1号"


def test_refusal_needs_a_reason_and_returns_the_application(bureau):
    """A2: 不予受理 with a reason; without one it is refused and the application stays as it was."""
    application = submit(StationFactory())
    with pytest.raises(DomainError, match="理由"):
        services.application_refuse(application=application, by=bureau, reason="")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    services.application_refuse(application=application, by=bureau, reason="不属于急需的专业性项目")
    application.refresh_from_db()
    assert application.status == Application.Status.REFUSED
    assert application.refusal_reason == "不属于急需的专业性项目"
    assert application.refusal_number.startswith("郑质监量不受〔")


def test_refused_application_cannot_then_be_accepted(bureau):
    """A12: an illegal transition is refused with a message naming the current state."""
    application = submit(StationFactory())
    services.application_refuse(application=application, by=bureau, reason="材料不全")
    with pytest.raises(DomainError, match="当前状态为“不予受理”"):
        services.application_accept(application=application, by=bureau)


def test_assessment_can_be_requested_only_when_all_four_conditions_are_recorded(bureau):
    """A3: the message lists exactly the conditions still missing."""
    application = ApplicationFactory(accepted=True)
    services.application_record_preparation(
        application=application,
        by=None,
        prep_standards="装置",
        prep_environment="",
        prep_personnel="人员",
        prep_management="",
    )
    with pytest.raises(DomainError) as error:
        services.application_request_assessment(application=application, by=None)
    assert "工作环境" in error.value.message and "工作制度和管理制度" in error.value.message
    assert "检定人员" not in error.value.message
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    services.application_record_preparation(application=application, by=None, **CONDITIONS)
    services.application_request_assessment(application=application, by=None, today=dt.date(2026, 4, 1))
    application.refresh_from_db()
    assert application.status == Application.Status.ASSESSMENT_REQUESTED


def test_preparation_cannot_be_recorded_before_acceptance():
    """A3: preparation follows acceptance."""
    application = ApplicationFactory()
    with pytest.raises(DomainError, match="只有已受理的申请"):
        services.application_record_preparation(application=application, by=None, **CONDITIONS)


def test_assessment_team_needs_a_leader_and_an_expert(bureau):
    """A4: the team is a leader plus experts."""
    application = ApplicationFactory(prepared=True, status=Application.Status.ASSESSMENT_REQUESTED)
    with pytest.raises(DomainError, match="至少需要一名技术专家"):
        services.assessment_start(
            application=application, by=bureau, planned_on=dt.date(2026, 5, 1), leader="赵", experts=[" "]
        )
    assessment = services.assessment_start(
        application=application,
        by=bureau,
        planned_on=dt.date(2026, 5, 1),
        leader="赵国强",
        experts=["钱学文", "孙立平"],
    )
    assert assessment.leader.name == "赵国强"
    assert assessment.members.count() == 3


def start_assessment(application, bureau):
    return services.assessment_start(
        application=application, by=bureau, planned_on=dt.date(2026, 5, 1), leader="赵", experts=["钱"]
    )


def test_conclusion_needs_a_finding_for_every_criterion(bureau):
    """A4: each criterion of S1 三(二) gets a finding before the conclusion."""
    application = ApplicationFactory(status=Application.Status.ASSESSMENT_REQUESTED)
    start_assessment(application, bureau)
    partial = dict(list(ALL_CONFORM.items())[:5])
    with pytest.raises(DomainError, match="检定能力验证"):
        services.assessment_conclude(
            application=application, by=bureau, held_on=dt.date(2026, 5, 1), findings=partial, conclusion="pass"
        )
    application.refresh_from_db()
    assert application.status == Application.Status.ASSESSING


def test_pass_is_refused_when_a_criterion_does_not_conform_but_fail_is_recorded(bureau):
    """A4: a non-conforming criterion cannot end in a pass; the team may conclude fail."""
    application = ApplicationFactory(status=Application.Status.ASSESSMENT_REQUESTED)
    start_assessment(application, bureau)
    findings = {**ALL_CONFORM, "impartiality": (AssessmentFinding.Result.NONCONFORMS, "检定收费与结果挂钩")}
    with pytest.raises(DomainError, match="检定工作的公正性和符合性"):
        services.assessment_conclude(
            application=application, by=bureau, held_on=dt.date(2026, 5, 1), findings=findings, conclusion="pass"
        )
    assessment = services.assessment_conclude(
        application=application,
        by=bureau,
        held_on=dt.date(2026, 5, 1),
        findings=findings,
        conclusion="fail",
        summary="公正性不符合",
    )
    application.refresh_from_db()
    assert application.status == Application.Status.FAILED
    assert assessment.findings.count() == 7


def test_failed_application_cannot_be_certified(bureau):
    """A12: no certificate after a failed assessment; the message names the state."""
    application = ApplicationFactory(status=Application.Status.FAILED)
    with pytest.raises(DomainError, match="当前状态为“考核不合格”"):
        services.certificate_issue(application=application, by=bureau, seal_number="章1")


def test_station_holding_a_certificate_is_sent_to_renewal_or_new_items():
    """A7, A8: a second first-time application from an authorized station is refused with the way forward."""
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
    with pytest.raises(DomainError, match="延续申请或新增项目申请"):
        submit(certificate.station, today=dt.date(2026, 3, 2))


def test_second_open_application_of_the_same_kind_is_refused():
    """A2: one application of a kind at a time keeps the bureau from reviewing duplicates."""
    station = StationFactory()
    submit(station)
    with pytest.raises(DomainError, match="办理中的首次申请"):
        submit(station)


def test_material_must_really_be_a_pdf_or_image():
    """A2: attachments are checked by content: a text file renamed .pdf is refused with its name."""
    application = submit(StationFactory())
    fake = SimpleUploadedFile("申请书.pdf", b"just some text", content_type="application/pdf")
    with pytest.raises(DomainError, match="申请书.pdf.*不是PDF"):
        services.application_add_material(application=application, by=None, title="申请书", file=fake)
    real = SimpleUploadedFile("scan.bin", pdf_bytes(), content_type="application/octet-stream")
    material = services.application_add_material(application=application, by=None, title="计量授权申请书", file=real)
    assert material.file.name.endswith(".pdf")
    assert application.materials.count() == 1


class TestEventsAreAppendOnly:
    """A12: nobody can edit or delete a recorded event, not through the ORM and not in SQL."""

    def test_saving_an_existing_event_is_refused(self):
        application = submit(StationFactory())
        event = LifecycleEvent.objects.get(application=application)
        event.note = "篡改"
        with pytest.raises(Exception, match="不可修改"):
            event.save()
        with pytest.raises(Exception, match="不可修改"):
            LifecycleEvent.objects.filter(pk=event.pk).update(note="篡改")
        with pytest.raises(Exception, match="不可删除"):
            event.delete()

    def test_the_database_refuses_sql_update_and_delete(self):
        application = submit(StationFactory())
        event = LifecycleEvent.objects.get(application=application)
        for statement in (
            "UPDATE authorizations_lifecycleevent SET note = 'x' WHERE id = %s",
            "DELETE FROM authorizations_lifecycleevent WHERE id = %s",
        ):
            with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
        assert LifecycleEvent.objects.get(pk=event.pk).note == ""


def test_each_event_names_who_acted_and_the_states(bureau):
    """A12: who, when, from, to and the document are kept."""
    application = submit(StationFactory())
    services.application_accept(application=application, by=bureau, note="材料齐全")
    event = LifecycleEvent.objects.filter(application=application).first()
    assert (event.by, event.from_state, event.to_state, event.note) == (
        bureau,
        "已提交，待受理",
        "已受理，筹建中",
        "材料齐全",
    )
    assert event.document.startswith("受理申请通知书 郑质监量受〔")


def test_officer_must_belong_to_exactly_one_station():
    """Actors: an information officer has one station; bureau staff have none."""
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="orphan", station=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="staff-with-station", bureau=True, station=StationFactory())
