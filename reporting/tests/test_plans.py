"""Annual plans (DOMAIN P1, D1): draft from the certificate's items, submit, return or approve, issue, adjust."""

import datetime as dt
import io
import re
from contextlib import closing

import pypdfium2 as pdfium
import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from authorizations.tests.factories import VerificationItemFactory
from reporting import documents
from reporting.models import AnnualPlan, ReportingEvent
from reporting.services import plans as services
from reporting.services.plans import PlanLineInput
from zzmetro.errors import DomainError

from .factories import authorize

pytestmark = pytest.mark.django_db
P = AnnualPlan.Status


def pdf_text(data: bytes) -> str:
    with closing(pdfium.PdfDocument(data)) as document:
        return re.sub(r"\s+", "", "".join(page.get_textpage().get_text_range() for page in document))


@pytest.fixture
def station(officer1, freeze):
    freeze("2026-11-20 10:00:00+08:00")
    authorize(officer1.station)
    return officer1.station


def draft(station, officer, counts=(1200, 300)):
    items = services.plannable_items(station)
    lines = [PlanLineInput(item, count, "郑州市某供电所\n新密市某水厂") for item, count in zip(items, counts)]
    return services.plan_save(station=station, year=2027, lines=lines, by=officer)


def approved(station, officer, bureau):
    plan = services.plan_submit(plan=draft(station, officer), by=officer)
    return services.plan_approve(plan=plan, by=bureau)


def test_plan_is_drafted_from_the_items_of_the_stations_certificate(station, officer1):
    """P1: plan line = item × planned count, optionally user units."""
    plan = draft(station, officer1)
    assert plan.status == P.DRAFT and plan.due_on == dt.date(2026, 12, 10)
    assert sorted(line.planned_count for line in plan.lines.all()) == [300, 1200]
    assert plan.total_planned == 1500


def test_plan_refuses_an_item_outside_the_certificate(station, officer1):
    """P1: only the station's authorized items can be planned."""
    stranger = VerificationItemFactory(code="XX99", name="出租汽车计价器")
    with pytest.raises(DomainError, match="出租汽车计价器"):
        services.plan_save(station=station, year=2027, lines=[PlanLineInput(stranger, 5)], by=officer1)
    assert not AnnualPlan.objects.exists()


def test_returned_plan_is_revised_and_resubmitted_keeping_its_first_submission_time(
    station, officer1, bureau, freeze, django_capture_on_commit_callbacks
):
    """P1: the bureau returns a plan with a reason (the station is e-mailed); the officer revises and resubmits."""
    plan = services.plan_submit(plan=draft(station, officer1), by=officer1)
    first = plan.first_submitted_at
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_return(plan=plan, by=bureau, reason="电能表数量偏低")
    assert plan.status == P.RETURNED and "电能表数量偏低" in mail.outbox[-1].body
    freeze("2026-12-12 09:00:00+08:00")
    draft(station, officer1, counts=(1500, 300))
    plan = services.plan_submit(plan=plan, by=officer1)
    assert plan.status == P.SUBMITTED and plan.first_submitted_at == first and plan.late_days == 0
    assert [e.action_label for e in ReportingEvent.objects.filter(plan=plan).order_by("id")] == [
        "起草年度计划",
        "提交年度计划",
        "退回年度计划",
        "提交年度计划",
    ]


def test_returning_a_plan_needs_a_reason(station, officer1, bureau):
    plan = services.plan_submit(plan=draft(station, officer1), by=officer1)
    with pytest.raises(DomainError, match="必须写明理由"):
        services.plan_return(plan=plan, by=bureau, reason=" ")


def test_a_draft_cannot_be_approved_and_the_message_names_its_state(station, officer1, bureau):
    """A12 style: an illegal move names the current state."""
    with pytest.raises(DomainError, match="当前状态为“草稿”，不能审核通过"):
        services.plan_approve(plan=draft(station, officer1), by=bureau)


def test_issuing_locks_every_approved_plan_of_the_year_in_one_action(station, officer1, officer2, bureau):
    """P1: the city's plan is issued at once; an issued plan is locked."""
    authorize(officer2.station, items=[VerificationItemFactory(code="SB01", name="水表")])
    approved(station, officer1, bureau)
    other = services.plan_save(
        station=officer2.station,
        year=2027,
        lines=[PlanLineInput(services.plannable_items(officer2.station)[0], 800)],
        by=officer2,
    )
    services.plan_submit(plan=other, by=officer2)  # submitted, not approved: stays out
    issuance = services.city_plan_issue(year=2027, by=bureau)
    assert issuance.version == 1 and re.fullmatch(r"郑质监量计〔2026〕\d+号", issuance.number)
    assert list(AnnualPlan.objects.filter(status=P.ISSUED).values_list("station", flat=True)) == [station.pk]
    with pytest.raises(DomainError, match="已下达并锁定"):
        draft(station, officer1)


def test_issuing_with_nothing_approved_is_refused(station, bureau):
    with pytest.raises(DomainError, match="没有审核通过"):
        services.city_plan_issue(year=2027, by=bureau)


def test_adjustment_is_a_new_version_with_a_reason_and_supersedes_the_issued_one_when_reissued(
    station, officer1, bureau
):
    """P1: an issued plan is locked; a later adjustment is a new version with a reason."""
    approved(station, officer1, bureau)
    first = services.city_plan_issue(year=2027, by=bureau)
    plan = AnnualPlan.objects.get()
    with pytest.raises(DomainError, match="理由"):
        services.plan_adjust(plan=plan, by=officer1, reason="")
    adjusted = services.plan_adjust(plan=plan, by=officer1, reason="新增居民小区一户一表改造")
    assert adjusted.version == 2 and adjusted.status == P.DRAFT and adjusted.lines.count() == 2
    draft(station, officer1, counts=(2000, 300))
    services.plan_approve(plan=services.plan_submit(plan=adjusted, by=officer1), by=bureau)
    with pytest.raises(DomainError, match="理由"):
        services.city_plan_issue(year=2027, by=bureau)
    second = services.city_plan_issue(year=2027, by=bureau, reason="新密供电调整")
    plan.refresh_from_db()
    assert plan.status == P.SUPERSEDED and second.version == 2
    assert sum(line.planned_count for line in documents.issuance_lines(first)) == 1500
    assert sum(line.planned_count for line in documents.issuance_lines(second)) == 2300


def test_issuance_notice_pdf_and_workbook_list_every_line(station, officer1, bureau):
    """P1, D1: the notice in Chinese and an Excel workbook of every line."""
    approved(station, officer1, bureau)
    issuance = services.city_plan_issue(year=2027, by=bureau, issued_on=dt.date(2026, 12, 20))
    text = pdf_text(documents.plan_issuance_pdf(issuance))
    for phrase in (
        "关于下达2027年度强制检定计划的通知",
        issuance.number,
        station.name,
        "1500",
        "2026年12月20日",
        "各计量授权检定机构",
    ):
        assert phrase in text, phrase
    sheet = load_workbook(io.BytesIO(documents.plan_issuance_xlsx(issuance))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "单位名称",
        "统一社会信用代码",
        "县（市、区）",
        "项目代码",
        "检定项目",
        "检定规程",
        "计划检定数量（台件）",
    )
    assert sorted(r[6] for r in rows[1:]) == [300, 1200] and rows[1][7] == "郑州市某供电所、新密市某水厂"


def test_bureau_returns_and_approves_in_the_admin_and_issues_from_the_issuance_page(
    station, officer1, admin_client_bureau
):
    """P1 in the admin: the transition buttons and the one-action issuance."""
    plan = services.plan_submit(plan=draft(station, officer1), by=officer1)
    url = reverse("admin:reporting_annualplan_transition", args=[plan.pk, "return"])
    assert admin_client_bureau.post(url, {"reason": "请补充使用单位", "_confirmed": "确认退回修改"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == P.RETURNED
    services.plan_submit(plan=plan, by=officer1)
    admin_client_bureau.post(reverse("admin:reporting_annualplan_transition", args=[plan.pk, "approve"]), {"note": ""})
    response = admin_client_bureau.post(reverse("admin:reporting_cityplanissuance_add"), {"year": 2027, "reason": ""})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == P.ISSUED
    notice = admin_client_bureau.get(
        reverse("admin:reporting_cityplanissuance_document", args=[plan.issuance_id, "notice"])
    )
    assert notice["Content-Type"] == "application/pdf"


def test_officer_drafts_and_submits_in_the_portal(station, client, officer1):
    client.force_login(officer1)
    items = services.plannable_items(station)
    data = {f"count_{items[0].pk}": "1200", f"units_{items[0].pk}": "", f"count_{items[1].pk}": ""}
    response = client.post(reverse("reporting:plan_edit", args=[2027]), data)
    plan = AnnualPlan.objects.get()
    assert response["Location"] == reverse("reporting:plan_detail", args=[plan.pk])
    assert plan.lines.count() == 1
    client.post(reverse("reporting:plan_submit", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == P.SUBMITTED
    assert "按时提交" in client.get(reverse("reporting:plan_detail", args=[plan.pk])).content.decode()


def test_plan_form_with_no_count_is_refused(station, client, officer1):
    client.force_login(officer1)
    response = client.post(reverse("reporting:plan_edit", args=[2027]), {})
    assert "请至少为一个检定项目填写计划检定数量" in response.content.decode()
    assert not AnnualPlan.objects.exists()
