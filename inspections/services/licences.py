"""Keeping the licence register (DOMAIN L2, L5, A12): grant, change, cancel and revoke a manufacturing licence, and
record what follows a decision (announcement, national filing) or bears on its time limit (excluded periods,
extensions). Each decision goes through the licence's transition table, writes one event and leaves a version with
the licence as decided; each finding staff handle writes one event.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from inspections.models import (
    ExcludedPeriod,
    InstrumentType,
    LicenceExtension,
    LicenceFinding,
    LicenceScopeLine,
    LicenceVersion,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
)
from inspections.models.licences import model_key
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.workflow import record, transition

Status = ManufacturingLicence.Status
Kind = LicenceVersion.Kind


@dataclass(frozen=True)
class Scope:
    """One scope line as a service takes it: instrument type × model × measuring range."""

    instrument_type: InstrumentType
    model: str
    measuring_range: str = ""
    accuracy_class: str = ""


@dataclass(frozen=True)
class Publicity:
    """How and when a decision was announced, and when it was filed with the national system (L3d)."""

    announced_on: dt.date | None = None
    announced_via: str = ""
    filed_on: dt.date | None = None


@transaction.atomic
def licence_grant(
    *,
    number: str,
    holder: Manufacturer,
    department: str,
    level: str,
    accepted_on: dt.date,
    decided_on: dt.date,
    scope: Iterable[Scope],
    by,
    valid_until: dt.date | None = None,
    approvals: Iterable[PatternApproval] = (),
    publicity: Publicity = Publicity(),
    note: str = "",
) -> ManufacturingLicence:
    """Record a granted licence (核准): the licence, its scope and approvals, version 1 and the grant event."""
    scope = list(scope)
    if not scope:
        raise DomainError("许可范围至少填写一项。", field="scope")
    if decided_on < accepted_on:
        raise DomainError("许可决定日期不能早于受理日期。", field="decided_on")
    _not_after_today(decided_on)
    if ManufacturingLicence.objects.filter(number=number).exists():
        raise DomainError(f"许可证编号“{number}”已登记。", field="number")
    licence = ManufacturingLicence(
        number=number,
        holder=holder,
        department=department,
        level=level,
        accepted_on=accepted_on,
        decided_on=decided_on,
        valid_until=valid_until,
    )
    _unique_lines(scope)
    transition(licence, to=Status.GRANTED, by=by, note=note)
    _set_scope(licence, scope, decided_on=decided_on)
    licence.approvals.set(approvals)
    _version(licence, kind=Kind.GRANT, decided_on=decided_on, summary=note or "核准许可", publicity=publicity)
    return licence


@transaction.atomic
def licence_change(
    *,
    licence: ManufacturingLicence,
    decided_on: dt.date,
    summary: str,
    by,
    scope: Iterable[Scope] | None = None,
    approvals: Iterable[PatternApproval] | None = None,
    department: str | None = None,
    valid_until: dt.date | None = None,
    publicity: Publicity = Publicity(),
) -> LicenceVersion:
    """Record a change (变更) of a licence in force; the new version keeps the licence as changed."""
    _after_last_decision(licence, decided_on)
    fields = []
    if department is not None:
        licence.department, fields = department, [*fields, "department"]
    if valid_until is not None:
        licence.valid_until, fields = valid_until, [*fields, "valid_until"]
    transition(licence, to=Status.CHANGED, by=by, note=summary, update_fields=fields)
    if scope is not None:
        scope = list(scope)
        if not scope:
            raise DomainError("许可范围至少填写一项。", field="scope")
        _unique_lines(scope)
        # A line the licence already had keeps the date of the decision that brought it in; a new one is this
        # change's, so the checks test it against the catalogue in force on this change's date (L3a).
        kept = {}
        for type_id, model, granted_on in licence.scope_lines.values_list("instrument_type_id", "model", "decided_on"):
            kept.setdefault((type_id, model_key(model)), granted_on or licence.decided_on)
        licence.scope_lines.all().delete()
        _set_scope(licence, scope, decided_on=decided_on, kept=kept)
    if approvals is not None:
        licence.approvals.set(approvals)
    return _version(licence, kind=Kind.CHANGE, decided_on=decided_on, summary=summary, publicity=publicity)


@transaction.atomic
def licence_cancel(
    *, licence: ManufacturingLicence, decided_on: dt.date, reason: str, by, publicity: Publicity = Publicity()
) -> LicenceVersion:
    """Record a cancellation (注销); the public list marks the licence cancelled from `decided_on` (L5)."""
    return _end(licence, to=Status.CANCELLED, kind=Kind.CANCEL, decided_on=decided_on, reason=reason, by=by,
                publicity=publicity)  # fmt: skip


@transaction.atomic
def licence_revoke(
    *, licence: ManufacturingLicence, decided_on: dt.date, reason: str, by, publicity: Publicity = Publicity()
) -> LicenceVersion:
    """Record a revocation (撤销) of a licence granted beyond the issuer's powers or the catalogue (S2 三(二))."""
    return _end(licence, to=Status.REVOKED, kind=Kind.REVOKE, decided_on=decided_on, reason=reason, by=by,
                publicity=publicity)  # fmt: skip


def _end(licence, *, to, kind, decided_on, reason, by, publicity) -> LicenceVersion:
    if not reason.strip():
        raise DomainError("请填写理由。", field="reason")
    _after_last_decision(licence, decided_on)
    licence.ended_on = decided_on
    transition(licence, to=to, by=by, note=reason, update_fields=["ended_on"])
    return _version(licence, kind=kind, decided_on=decided_on, summary=reason, publicity=publicity)


@transaction.atomic
def version_record_publicity(*, version: LicenceVersion, publicity: Publicity, by) -> LicenceVersion:
    """Record the announcement and national filing of a decision, which follow it (L3d, S2 三(三))."""
    for day, label in ((publicity.announced_on, "公告日期"), (publicity.filed_on, "备案日期")):
        if day is not None and day < version.decided_on:
            raise DomainError(f"{label}不能早于决定日期{version.decided_on:%Y-%m-%d}。")
    if publicity.announced_on and not publicity.announced_via:
        raise DomainError("请选择公告方式。", field="announced_via")
    version.announced_on = publicity.announced_on
    version.announced_via = publicity.announced_via
    version.filed_on = publicity.filed_on
    version.save(update_fields=["announced_on", "announced_via", "filed_on"])
    record(version.licence, action="publicity", label="登记公告和备案", by=by, note=_publicity_note(version))
    return version


@transaction.atomic
def licence_record_excluded_period(
    *, licence: ManufacturingLicence, kind: str, starts_on: dt.date, ends_on: dt.date, by, note: str = ""
) -> ExcludedPeriod:
    """Record a period not counted in the processing time (行政许可法 第四十五条) (L3b)."""
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期。", field="ends_on")
    if starts_on < licence.accepted_on or ends_on > licence.decided_on:
        raise DomainError("该期间应在受理日期与许可决定日期之间。", field="starts_on")
    period = ExcludedPeriod.objects.create(licence=licence, kind=kind, starts_on=starts_on, ends_on=ends_on, note=note)
    record(licence, action="exclude", label="登记不计入时限的期间", by=by, note=str(period))
    return period


@transaction.atomic
def licence_record_extension(
    *, licence: ManufacturingLicence, approved_on: dt.date, approved_by: str, by, days: int = 10, reason: str = ""
) -> LicenceExtension:
    """Record an approved extension of the time limit (行政许可法 第四十二条) (L3b)."""
    if licence.extensions.exists():
        raise DomainError("该许可证已登记过延长办理时限，只能延长一次。")
    if not licence.accepted_on <= approved_on <= licence.decided_on:
        raise DomainError("批准延长日期应在受理日期与许可决定日期之间。", field="approved_on")
    extension = LicenceExtension.objects.create(
        licence=licence, approved_on=approved_on, approved_by=approved_by, days=days, reason=reason
    )
    record(licence, action="extend", label="登记延长办理时限", by=by, note=str(extension))
    return extension


@transaction.atomic
def finding_confirm(*, finding: LicenceFinding, by, note: str = "") -> LicenceFinding:
    """Staff confirm a finding (确认问题); it stays through later check runs (L3, L4)."""
    finding.note = note
    transition(finding, to=LicenceFinding.Status.CONFIRMED, by=by, note=note, update_fields=["note"])
    return finding


@transaction.atomic
def finding_explain(*, finding: LicenceFinding, by, note: str) -> LicenceFinding:
    """Staff explain a finding (说明情况), e.g. the data was incomplete; explained findings do not count (L4)."""
    if not note.strip():
        raise DomainError("请填写情况说明。", field="note")
    finding.note = note
    transition(finding, to=LicenceFinding.Status.EXPLAINED, by=by, note=note, update_fields=["note"])
    return finding


# --- versions --------------------------------------------------------------------------------------------------


def _set_scope(licence, scope: list[Scope], *, decided_on, kept: dict | None = None) -> None:
    kept = kept or {}
    LicenceScopeLine.objects.bulk_create(
        LicenceScopeLine(
            licence=licence,
            instrument_type=line.instrument_type,
            model=line.model.strip(),
            measuring_range=line.measuring_range,
            accuracy_class=line.accuracy_class,
            decided_on=kept.get((line.instrument_type.pk, model_key(line.model)), decided_on),
        )
        for line in scope
    )


def _unique_lines(scope: list[Scope]) -> None:
    """One line per instrument type and model (L2): the same model twice is a slip, not a wider scope."""
    seen = set()
    for line in scope:
        key = (line.instrument_type.pk, model_key(line.model))
        if key in seen:
            raise DomainError(f"许可范围中{line.instrument_type.name}型号“{line.model.strip()}”重复。", field="scope")
        seen.add(key)


def _not_after_today(decided_on) -> None:
    """A decision is recorded once taken: one dated after today is a typing slip (L2, L5)."""
    if decided_on > beijing_today():
        raise DomainError(f"决定日期{decided_on:%Y-%m-%d}晚于今天，不能登记尚未作出的决定。", field="decided_on")


def _after_last_decision(licence, decided_on) -> None:
    _not_after_today(decided_on)
    last = licence.versions.order_by("-sequence").first()
    if last is not None and decided_on < last.decided_on:
        raise DomainError(f"决定日期不能早于上一次决定（{last.decided_on:%Y-%m-%d}）。", field="decided_on")


def _version(licence, *, kind, decided_on, summary, publicity: Publicity) -> LicenceVersion:
    last = licence.versions.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    return LicenceVersion.objects.create(
        licence=licence,
        sequence=last + 1,
        kind=kind,
        decided_on=decided_on,
        summary=summary,
        snapshot=snapshot(licence),
        announced_on=publicity.announced_on,
        announced_via=publicity.announced_via,
        filed_on=publicity.filed_on,
    )


def snapshot(licence: ManufacturingLicence) -> dict:
    """The licence as it stands, in words people read, so a later renaming never rewrites an old version."""
    lines = licence.scope_lines.select_related("instrument_type").order_by("id")
    return {
        "许可证编号": licence.number,
        "持证企业": licence.holder.name,
        "统一社会信用代码": licence.holder.credit_code,
        "发证部门": licence.department,
        "发证层级": licence.get_level_display(),
        "受理日期": f"{licence.accepted_on:%Y-%m-%d}",
        "许可决定日期": f"{licence.decided_on:%Y-%m-%d}",
        "有效期至": f"{licence.valid_until:%Y-%m-%d}" if licence.valid_until else "",
        "状态": licence.get_status_display(),
        "许可范围": [
            {"类别": line.instrument_type.name, "型号": line.model, "测量范围": line.measuring_range} for line in lines
        ],
        "型式批准": sorted(licence.approvals.values_list("number", flat=True)),
    }


def _publicity_note(version: LicenceVersion) -> str:
    announced = (
        f"{version.announced_on:%Y-%m-%d}通过{version.get_announced_via_display()}公告"
        if version.announced_on
        else "未公告"
    )
    filed = f"{version.filed_on:%Y-%m-%d}报总局备案" if version.filed_on else "未报总局备案"
    return f"第{version.sequence}版（{version.get_kind_display()}）：{announced}，{filed}"
