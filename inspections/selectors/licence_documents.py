"""Reads behind the licence register's public list and the special inspection's documents (DOMAIN L4–L6)."""

from collections import Counter, defaultdict

from django.db.models import Count, Prefetch, QuerySet

from inspections.documents_licences import AdministratorRow, SurveyRow
from inspections.models import (
    InstrumentType,
    IssuingLevel,
    LicenceFinding,
    LicenceInspectionReport,
    LicenceScopeLine,
    LicenceSystemAdministrator,
    LicenceVersion,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
)
from zzmetro.dates import beijing_today

# Findings that stand (L4): open or confirmed ones count, explained ones do not.
STANDING = [LicenceFinding.Status.OPEN, LicenceFinding.Status.CONFIRMED]
SCOPE_RULES = [LicenceFinding.Rule.SCOPE_TYPE, LicenceFinding.Rule.SCOPE_APPROVAL]
ENDED = [ManufacturingLicence.Status.CANCELLED, ManufacturingLicence.Status.REVOKED]
# The summary's columns: the levels Attachment 1 names; 国家级 only when the register holds one.
SUMMARY_LEVELS = [IssuingLevel.PROVINCE, IssuingLevel.CITY, IssuingLevel.COUNTY]


def public_licences(*, name: str = "", type_code: str = "", number: str = "", today=None) -> QuerySet:
    """Every licence decided by `today` with its holder and scope, ended and expired ones included (they are marked
    with their date, L5); a licence whose decision is dated after today is not listed yet."""
    today = today or beijing_today()
    licences = (
        ManufacturingLicence.objects.exclude(status="")
        .filter(decided_on__lte=today)
        .select_related("holder")
        .prefetch_related(
            Prefetch("scope_lines", queryset=LicenceScopeLine.objects.select_related("instrument_type").order_by("id"))
        )
    )
    if name:
        licences = licences.filter(holder__name__icontains=name)
    if number:
        licences = licences.filter(number__icontains=number.strip())
    if type_code:
        licences = licences.filter(
            pk__in=LicenceScopeLine.objects.filter(instrument_type__code=type_code).values("licence_id")
        )
    return licences.order_by("holder__name", "number")


def current_report() -> LicenceInspectionReport:
    """The latest year's report, or an unsaved one for this year with the defaults."""
    return LicenceInspectionReport.objects.order_by("-year").first() or LicenceInspectionReport(
        year=beijing_today().year
    )


def standing_findings() -> QuerySet:
    return LicenceFinding.objects.filter(status__in=STANDING)


def survey_row(report: LicenceInspectionReport) -> SurveyRow:
    """Attachment 1's line: yes/no answers from the standing findings, the rest as staff wrote it or from the register."""
    rules = set(standing_findings().order_by().values_list("rule", flat=True).distinct())
    return SurveyRow(
        province=report.province,
        over_scope=bool(rules & set(SCOPE_RULES)),
        institutions_authorized=LicenceFinding.Rule.INSTITUTION not in rules,
        announcement=report.announcement or _announcement_ways(),
        filed_nationally=LicenceFinding.Rule.FILING not in rules,
        online_approval=report.online_approval,
        approval_issuers=report.approval_issuers or _issuers(PatternApproval.objects.all()),
        licence_issuers=report.licence_issuers or _issuers(ManufacturingLicence.objects.exclude(status="")),
        reform=report.reform,
        remarks=report.remarks or _unauthorized_institutions_remark(),
    )


def _announcement_ways() -> str:
    labels = dict(LicenceVersion._meta.get_field("announced_via").choices)
    ways = (
        LicenceVersion.objects.exclude(announced_via="").order_by().values_list("announced_via", flat=True).distinct()
    )
    return "、".join(sorted(labels[way] for way in ways))


def _issuers(rows: QuerySet) -> str:
    labels = dict(IssuingLevel.choices)
    pairs = rows.values_list("department", "level").distinct().order_by("level", "department")
    return "；".join(f"{department}（{labels.get(level, level)}）" for department, level in pairs)


def _unauthorized_institutions_remark() -> str:
    names = sorted(
        {
            name
            for name in PatternApproval.objects.filter(
                licences__findings__rule=LicenceFinding.Rule.INSTITUTION, licences__findings__status__in=STANDING
            ).values_list("institution__name", flat=True)
            if name
        }
    )
    return f"型式评价机构非总局统一授权的机构：{'、'.join(names)}。" if names else ""


def administrator_rows() -> list[AdministratorRow]:
    return [
        AdministratorRow(a.name, a.unit, a.title, a.office_phone, a.mobile, a.email)
        for a in LicenceSystemAdministrator.objects.all()
    ]


def summary_context(report: LicenceInspectionReport) -> dict:
    """The summary report's figures (L6): counts by type and level, findings by kind, the licences concerned."""
    licences = ManufacturingLicence.objects.exclude(status="")
    by_level = Counter(dict(licences.order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n")))
    levels = SUMMARY_LEVELS + ([IssuingLevel.NATIONAL] if by_level[IssuingLevel.NATIONAL] else [])
    return {
        "report": report,
        "as_of": beijing_today(),
        "figures": {
            "manufacturers": Manufacturer.objects.filter(licences__in=licences).distinct().count(),
            "licences": sum(by_level.values()),
            "live": licences.current().count(),
            "cancelled": licences.filter(status__in=ENDED).count(),
            "approvals": PatternApproval.objects.count(),
        },
        "levels": [IssuingLevel(level).label for level in levels],
        "by_type": _by_type(levels),
        "level_totals": [by_level[level] for level in levels],
        **_findings(),
    }


def _by_type(levels: list[str]) -> list[dict]:
    """Licences per instrument type and level; a licence whose scope spans two types counts under each."""
    counts: dict[int, Counter] = defaultdict(Counter)
    pairs = (
        LicenceScopeLine.objects.exclude(licence__status="")
        .order_by()
        .values_list("instrument_type_id", "licence__level")
        .annotate(n=Count("licence_id", distinct=True))
    )
    for type_id, level, n in pairs:
        counts[type_id][level] += n
    key_types = InstrumentType.objects.filter(key_list_entries__isnull=False).values_list("pk", flat=True)
    shown = InstrumentType.objects.filter(pk__in=set(key_types) | set(counts)).order_by("code")
    totals = dict(
        LicenceScopeLine.objects.exclude(licence__status="")
        .order_by()
        .values_list("instrument_type_id")
        .annotate(n=Count("licence_id", distinct=True))
        .values_list("instrument_type_id", "n")
    )
    return [
        {"label": t.name, "counts": [counts[t.pk][level] for level in levels], "total": totals.get(t.pk, 0)}
        for t in shown
    ]


def _findings() -> dict:
    findings = standing_findings()
    per_rule = dict(findings.order_by().values_list("rule").annotate(n=Count("id")).values_list("rule", "n"))
    problems: dict[int, set] = defaultdict(set)
    for licence_id, rule in findings.values_list("licence_id", "rule"):
        problems[licence_id].add(rule)
    labels = dict(LicenceFinding.Rule.choices)
    concerned = [
        {
            "number": licence.number,
            "holder": licence.holder.name,
            "problems": [labels[rule] for rule in labels if rule in problems[licence.pk]],
        }
        for licence in ManufacturingLicence.objects.filter(pk__in=problems).select_related("holder").order_by("number")
    ]
    return {
        "findings_total": sum(per_rule.values()),
        "by_kind": [{"label": label, "count": per_rule.get(rule, 0)} for rule, label in LicenceFinding.Rule.choices],
        "concerned": concerned,
    }
