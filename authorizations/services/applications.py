"""Application, acceptance, preparation, assessment and certificate issue (DOMAIN A1–A8, A11)."""

import datetime as dt
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from authorizations.models import (
    Application,
    ApplicationMaterial,
    Assessment,
    AssessmentFinding,
    AssessmentMember,
    Certificate,
    CertificateItem,
    Station,
    VerificationItem,
)
from authorizations.selectors.applications import application_ban_lifts_on
from authorizations.selectors.certificates import station_current_certificate
from zzmetro.dates import add_months, beijing_today
from zzmetro.errors import DomainError
from zzmetro.uploads import validate_document
from zzmetro.workflow import ensure, record, transition

from .common import next_number, station_notice

A = Application.Status
OPEN_STATUSES = (A.SUBMITTED, A.ACCEPTED, A.ASSESSMENT_REQUESTED, A.ASSESSING, A.PASSED)


def _check_not_banned(station: Station, today: dt.date) -> None:
    """A11: three years after a revocation the same legal entity may not apply again."""
    opens_on = application_ban_lifts_on(credit_code=station.credit_code, day=today)
    if opens_on:
        raise DomainError(
            f"该单位（统一社会信用代码 {station.credit_code}）的计量授权已被撤销，自撤销之日起3年内不得再次申请，"
            f"可于{opens_on:%Y年%m月%d日}起重新申请。"
        )


def _check_items(items: list[VerificationItem]) -> None:
    if not items:
        raise DomainError("请至少选择一个申请检定项目。", field="items")
    inactive = [i.name for i in items if not i.is_active]
    if inactive:
        raise DomainError(f"检定项目“{'、'.join(inactive)}”目前不接受申请。", field="items")


def _renewal_terms(certificate: Certificate, today: dt.date) -> tuple[dt.date, int]:
    """A7: due no later than six months before expiry; later is accepted but late by so many days."""
    deadline = add_months(certificate.expires_on, -settings.ZZ_POLICY["RENEWAL_MONTHS_BEFORE_EXPIRY"])
    return deadline, max((today - deadline).days, 0)


def _check_certificate_for(kind: str, station: Station, certificate: Certificate | None, items, today: dt.date) -> None:
    if kind == Application.Kind.NEW:
        current = station_current_certificate(station, today)
        if current:
            raise DomainError(f"本单位已持有有效证书{current.number}，请提交延续申请或新增项目申请。")
        return
    if certificate is None or certificate.station_id != station.pk:
        raise DomainError("请选择本单位的现有计量授权证书。", field="certificate")
    if kind == Application.Kind.RENEWAL and today > certificate.expires_on:
        raise DomainError(
            f"证书{certificate.number}已于{certificate.expires_on:%Y年%m月%d日}期满，不能再申请延续，请提交首次申请。"
        )
    state = certificate.state_on(today)
    if state in (Certificate.State.REVOKED, Certificate.State.TERMINATED, Certificate.State.EXPIRED):
        raise DomainError(
            f"证书{certificate.number}当前状态为“{state.label}”，不能提交{Application.Kind(kind).label}。"
        )
    if kind == Application.Kind.RENEWAL and Certificate.objects.filter(previous=certificate).exists():
        raise DomainError(f"证书{certificate.number}已经延续，不能重复申请。")
    if kind == Application.Kind.NEW_ITEMS:
        held = set(certificate.certificate_items.values_list("item_id", flat=True))
        repeated = [i.name for i in items if i.pk in held]
        if repeated:
            raise DomainError(
                f"以下项目已在证书{certificate.number}上，无需新增：{'、'.join(repeated)}。", field="items"
            )


@transaction.atomic
def application_submit(
    *,
    station: Station,
    by,
    kind: str = Application.Kind.NEW,
    items: list[VerificationItem],
    area: str,
    description: str = "",
    certificate: Certificate | None = None,
    today: dt.date | None = None,
) -> Application:
    """File an application (A2), a renewal (A7) or a new-items application (A8)."""
    today = today or beijing_today()
    Station.objects.select_for_update().get(pk=station.pk)  # one filing at a time per station
    _check_not_banned(station, today)
    _check_items(items)
    if not area.strip():
        raise DomainError("请填写申请的检定区域。", field="area")
    _check_certificate_for(kind, station, certificate, items, today)
    if Application.objects.filter(station=station, kind=kind, status__in=OPEN_STATUSES).exists():
        raise DomainError(f"本单位已有一份办理中的{Application.Kind(kind).label}，请等待办结后再提交。")
    deadline, late_days = (None, 0)
    if kind == Application.Kind.RENEWAL:
        deadline, late_days = _renewal_terms(certificate, today)
    application = Application(
        number=f"ZZSQ-{today.year}-{next_number('application', today.year):04d}",
        station=station,
        kind=kind,
        area=area.strip(),
        description=description,
        certificate=certificate if kind != Application.Kind.NEW else None,
        status="",  # not filed yet: the filing is the table's first move
        submitted_on=today,
        submitted_by=by,
        renewal_deadline=deadline,
        late_days=late_days,
    )
    note = f"逾期申请：晚于截止日{deadline:%Y-%m-%d} {late_days}天" if late_days else ""
    transition(application, to=A.SUBMITTED, by=by, label=f"提交{application.get_kind_display()}", note=note)
    application.items.set(items)
    return application


@transaction.atomic
def application_add_material(*, application: Application, by, title: str, file) -> ApplicationMaterial:
    if application.status not in OPEN_STATUSES:
        raise DomainError(f"申请当前状态为“{application.get_status_display()}”，不能再补充材料。")
    try:
        extension = validate_document(file)
    except ValidationError as error:
        raise DomainError(error.messages[0], field="file") from error
    stem = os.path.splitext(os.path.basename(file.name))[0][:60] or "material"
    file.name = f"{stem}{extension}"
    material = ApplicationMaterial.objects.create(
        application=application, title=title.strip() or stem, file=file, uploaded_by=by
    )
    record(application, action="material", label="上传申请材料", by=by, note=material.title)
    return material


@transaction.atomic
def application_accept(*, application: Application, by, note: str = "", today: dt.date | None = None) -> Application:
    """A2: accept and issue the acceptance notice (受理申请通知书)."""
    today = today or beijing_today()
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure(application, to=A.ACCEPTED)
    application.accepted_on = today
    application.acceptance_number = f"郑质监量受〔{today.year}〕{next_number('acceptance', today.year)}号"
    transition(
        application,
        to=A.ACCEPTED,
        by=by,
        note=note,
        documents=f"受理申请通知书 {application.acceptance_number}",
        update_fields=["accepted_on", "acceptance_number"],
        notices=[
            station_notice(
                application.station,
                subject=f"申请{application.number}已受理",
                body=f"您单位的{application.get_kind_display()}（{application.number}）已于{today:%Y年%m月%d日}受理。"
                "请按受理申请通知书要求开展筹建工作，四项必备条件全部完成后提出考核申请。",
            )
        ],
    )
    return application


@transaction.atomic
def application_refuse(*, application: Application, by, reason: str, today: dt.date | None = None) -> Application:
    """A2: refuse (不予受理) with a reason; the application is returned."""
    if not reason.strip():
        raise DomainError("不予受理必须写明理由。", field="reason")
    today = today or beijing_today()
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure(application, to=A.REFUSED)
    application.refused_on = today
    application.refusal_reason = reason.strip()
    application.refusal_number = f"郑质监量不受〔{today.year}〕{next_number('refusal', today.year)}号"
    transition(
        application,
        to=A.REFUSED,
        by=by,
        note=reason,
        documents=f"不予受理决定书 {application.refusal_number}",
        update_fields=["refused_on", "refusal_reason", "refusal_number"],
        notices=[
            station_notice(
                application.station,
                subject=f"申请{application.number}不予受理",
                body=f"您单位的{application.get_kind_display()}（{application.number}）不予受理，理由：{reason.strip()}",
            )
        ],
    )
    return application


@transaction.atomic
def application_record_preparation(*, application: Application, by, **conditions: str) -> Application:
    """A3: record the four preparation conditions while the application is accepted."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != A.ACCEPTED:
        raise DomainError(f"申请当前状态为“{application.get_status_display()}”，只有已受理的申请可以填写筹建情况。")
    unknown = set(conditions) - set(Application.PREPARATION_FIELDS)
    if unknown:
        raise DomainError(f"未知的筹建条件：{'、'.join(sorted(unknown))}")
    for name, value in conditions.items():
        setattr(application, name, (value or "").strip())
    application.save(update_fields=list(conditions))
    record(application, action="prepare", label="填写筹建情况", by=by)
    return application


@transaction.atomic
def application_request_assessment(*, application: Application, by, today: dt.date | None = None) -> Application:
    """A3: only when all four conditions are recorded may the station request assessment."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure(application, to=A.ASSESSMENT_REQUESTED)
    missing = application.missing_conditions
    if missing:
        raise DomainError(f"筹建工作尚未全面完成，还缺少：{'、'.join(missing)}。四项条件全部填写后才能申请考核。")
    application.assessment_requested_on = today or beijing_today()
    transition(application, to=A.ASSESSMENT_REQUESTED, by=by, update_fields=["assessment_requested_on"])
    return application


@transaction.atomic
def assessment_start(
    *, application: Application, by, planned_on: dt.date, leader: str, experts: list[str], organization: str = ""
) -> Assessment:
    """A4: form the assessment team (考核组: leader and experts)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure(application, to=A.ASSESSING)
    experts = [e.strip() for e in experts if e.strip()]
    if not leader.strip():
        raise DomainError("请指定考核组组长。", field="leader")
    if not experts:
        raise DomainError("考核组至少需要一名技术专家。", field="experts")
    assessment = Assessment.objects.create(application=application, planned_on=planned_on)
    AssessmentMember.objects.create(
        assessment=assessment, name=leader.strip(), role=AssessmentMember.Role.LEADER, organization=organization
    )
    AssessmentMember.objects.bulk_create(
        AssessmentMember(assessment=assessment, name=name, role=AssessmentMember.Role.EXPERT, organization=organization)
        for name in experts
    )
    transition(
        application,
        to=A.ASSESSING,
        by=by,
        note=f"组长：{leader.strip()}；专家：{'、'.join(experts)}；计划{planned_on:%Y-%m-%d}现场考核",
    )
    return assessment


@transaction.atomic
def assessment_conclude(
    *,
    application: Application,
    by,
    held_on: dt.date,
    findings: dict[str, tuple[str, str]],
    conclusion: str,
    summary: str = "",
) -> Assessment:
    """A4: a finding for every criterion, then pass or fail. A pass with a non-conforming criterion is refused."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    target = A.PASSED if conclusion == Assessment.Conclusion.PASS else A.FAILED
    ensure(application, to=target)
    criteria = AssessmentFinding.Criterion
    missing = [c.label for c in criteria if c.value not in findings]
    if missing:
        raise DomainError(f"以下考核内容尚无结果：{'、'.join(missing)}。")
    failing = [
        criteria(c).label for c, (result, _) in findings.items() if result == AssessmentFinding.Result.NONCONFORMS
    ]
    if target == A.PASSED and failing:
        raise DomainError(f"“{'、'.join(failing)}”的考核结果为不符合，考核结论不能为合格。")
    assessment = application.assessment
    assessment.findings.all().delete()
    AssessmentFinding.objects.bulk_create(
        AssessmentFinding(assessment=assessment, criterion=c, result=result, note=note)
        for c, (result, note) in findings.items()
    )
    assessment.held_on = held_on
    assessment.conclusion = conclusion
    assessment.summary = summary
    assessment.save()
    transition(application, to=target, by=by, label=f"考核结论：{assessment.get_conclusion_display()}", note=summary)
    return assessment


def _certificate_number(year: int) -> str:
    return f"ZZJL-{year}-{next_number('certificate', year):04d}"


@transaction.atomic
def certificate_issue(
    *, application: Application, by, seal_number: str = "", issued_on: dt.date | None = None
) -> Certificate:
    """A5, A6, A7, A8: issue the certificate the passed application earns.

    A first application gets a new certificate valid from its issue day. A renewal gets a new certificate
    whose validity starts the day after the old one ends (or on the issue day, if that is later: authority is
    never granted backwards). New items join the current certificate with the same expiry.
    """
    issued_on = issued_on or beijing_today()
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure(application, to=A.CERTIFIED)
    items = list(application.items.all())
    if application.kind == Application.Kind.NEW_ITEMS:
        certificate = application.certificate
        CertificateItem.objects.bulk_create(
            CertificateItem(certificate=certificate, item=item, added_on=issued_on, application=application)
            for item in items
        )
        label, document = "新增授权项目（证书变更）", f"计量授权证书 {certificate.number}（变更）"
    else:
        previous = application.certificate if application.kind == Application.Kind.RENEWAL else None
        valid_from = max(previous.expires_on + dt.timedelta(days=1), issued_on) if previous else issued_on
        seal_number = seal_number.strip() or (previous.seal_number if previous else "")
        if not seal_number:
            raise DomainError("请填写计量授权检定专用章编号。", field="seal_number")
        certificate = Certificate.objects.create(
            number=_certificate_number(issued_on.year),
            station=application.station,
            application=application,
            previous=previous,
            area=application.area,
            issued_on=issued_on,
            valid_from=valid_from,
            expires_on=Certificate.expiry_for(valid_from),
            seal_number=seal_number,
        )
        CertificateItem.objects.bulk_create(
            CertificateItem(certificate=certificate, item=item, added_on=valid_from, application=application)
            for item in items
        )
        label, document = ("颁发延续证书" if previous else "颁发计量授权证书"), f"计量授权证书 {certificate.number}"
    # The new certificate starts valid: its issue is this one event of the application's move.
    transition(
        application,
        to=A.CERTIFIED,
        by=by,
        label=label,
        note=f"有效期 {certificate.valid_from:%Y-%m-%d} 至 {certificate.expires_on:%Y-%m-%d}",
        documents=document,
        certificate=certificate,
        notices=[
            station_notice(
                application.station,
                subject=f"计量授权证书{certificate.number}已颁发",
                body=f"{label}：证书编号{certificate.number}，有效期{certificate.valid_from:%Y年%m月%d日}至{certificate.expires_on:%Y年%m月%d日}。",
            )
        ],
    )
    return certificate
