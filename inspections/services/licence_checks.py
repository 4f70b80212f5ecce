"""The special inspection's checks over the licence register (DOMAIN L3a–L3d, T3).

`run_checks()` reads the register in a fixed number of queries, computes every finding in memory and replaces the
open findings of the licences it checked in bulk; findings staff confirmed or explained are kept and not raised
again. Working days follow the State Council's holiday arrangement with its make-up days (chinese-calendar); a year
the library has no arrangement for counts weekends only, and the finding says so.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar
from django.db import transaction
from django.db.models import Q

from inspections.models import (
    EvaluationInstitution,
    ExcludedPeriod,
    InstitutionAuthorization,
    InstrumentType,
    KeyListEntry,
    LicenceCheckPolicy,
    LicenceExtension,
    LicenceFinding,
    LicenceScopeLine,
    LicenceVersion,
    ManufacturingLicence,
    PatternApproval,
)
from inspections.models.licences import model_key, split_models
from zzmetro.dates import beijing_today
from zzmetro.workflow import record

Rule = LicenceFinding.Rule
EXCLUDED_KINDS = dict(ExcludedPeriod.Kind.choices)
DECISION_KINDS = dict(LicenceVersion.Kind.choices)
# L3d names grants, changes and cancellations; revocations are not checked for publicity.
PUBLICISED_KINDS = {LicenceVersion.Kind.GRANT, LicenceVersion.Kind.CHANGE, LicenceVersion.Kind.CANCEL}
PUBLISHED_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


class WorkingDays:
    """Working days (工作日) between dates, in O(1) after one pass over the span (T3).

    As 民法典 第二百零一条 counts a period: its first day is not counted, its last day is.
    """

    def __init__(self, start: dt.date, end: dt.date):
        self.start = start - dt.timedelta(days=1)
        self.end = end
        self._upto = []  # _upto[i]: working days in (self.start, self.start + i]
        count, day = 0, self.start
        while day <= end:
            self._upto.append(count)
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        self._upto.append(count)

    def is_working_day(self, day: dt.date) -> bool:
        if day.year not in PUBLISHED_YEARS:
            return day.weekday() < 5
        if day in chinese_calendar.workdays:  # make-up working days (调休), weekends included
            return True
        return day.weekday() < 5 and day not in chinese_calendar.holidays

    def _index(self, day: dt.date) -> int:
        return (min(max(day, self.start), self.end) - self.start).days

    def after(self, first: dt.date, last: dt.date) -> int:
        """Working days in (first, last]: the period starting on `first` and ending on `last`."""
        if last <= first:
            return 0
        return self._upto[self._index(last)] - self._upto[self._index(first)]

    def within(self, first: dt.date, last: dt.date) -> int:
        """Working days in [first, last], both counted (an excluded period)."""
        return self.after(first - dt.timedelta(days=1), last)

    def unpublished_note(self, first: dt.date, last: dt.date) -> str:
        years = [year for year in range(first.year, last.year + 1) if year not in PUBLISHED_YEARS]
        runs: list[list[int]] = []  # consecutive years as one range: "1900–2003、2027年"
        for year in years:
            if runs and runs[-1][1] == year - 1:
                runs[-1][1] = year
            else:
                runs.append([year, year])
        text = "、".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)
        return f"（{text}年节假日安排尚未收录，按周末计算）" if years else ""


@dataclass
class Found:
    licence_id: int
    rule: str
    key: str
    message: str
    numbers: dict = field(default_factory=dict)


@dataclass
class Register:
    """The register as the checks read it: plain tuples, loaded in one query per table."""

    licences: list
    lines: dict = field(default_factory=lambda: defaultdict(list))
    linked: dict = field(default_factory=lambda: defaultdict(list))
    excluded: dict = field(default_factory=lambda: defaultdict(list))
    extension_days: dict = field(default_factory=dict)
    versions: dict = field(default_factory=lambda: defaultdict(list))
    key_list: dict = field(default_factory=lambda: defaultdict(list))
    authorized: dict = field(default_factory=lambda: defaultdict(list))
    approved_models: dict = field(default_factory=lambda: defaultdict(set))
    approvals: dict = field(default_factory=dict)
    type_names: dict = field(default_factory=dict)
    institution_names: dict = field(default_factory=dict)


@transaction.atomic
def run_checks(
    licences: Iterable[ManufacturingLicence] | None = None, *, by=None, today: dt.date | None = None
) -> dict:
    """Check the whole register (or the given licences) and store the findings; returns the counts.

    An open finding still found with the same message stays as it is, one no longer found (or found with other
    numbers) is replaced; confirmed and explained ones stay, and a finding they already cover is not raised again.
    """
    today = today or beijing_today()
    ids = None if licences is None else [licence.pk for licence in licences]
    register = _load(ids)
    policy = LicenceCheckPolicy.current()
    found = {(f.licence_id, f.key): f for f in _findings(register, policy, today)}
    handled, still_open = _existing(ids)
    unchanged = {key for key, (_, message) in still_open.items() if key in found and found[key].message == message}
    stale = [pk for key, (pk, _) in still_open.items() if key not in unchanged]
    removed = LicenceFinding.objects.filter(pk__in=stale, status=LicenceFinding.Status.OPEN).delete()[0] if stale else 0
    new = [f for key, f in found.items() if key not in handled and key not in unchanged]
    LicenceFinding.objects.bulk_create(
        (
            LicenceFinding(licence_id=f.licence_id, rule=f.rule, key=f.key, message=f.message, numbers=f.numbers)
            for f in new
        ),
        batch_size=2000,
    )
    counts = {
        "licences": len(register.licences),
        "found": len(new),
        "unchanged": len(unchanged),
        "kept": len(handled),
        "removed": removed,
    }
    _record_run(ids, counts, by)
    return counts


def _record_run(ids, counts, by) -> None:
    """One event per run (A12): findings appear and open ones go only here, so the trail says how many."""
    subject = ManufacturingLicence.objects.get(pk=ids[0]) if ids and len(ids) == 1 else ManufacturingLicence
    note = (
        f"核查许可证{counts['licences']}份，新发现问题{counts['found']}项，仍待处理的问题{counts['unchanged']}项，"
        f"保留已确认或已说明的问题{counts['kept']}项，撤除不再成立的待处理问题{counts['removed']}项。"
    )
    record(subject, action="check", label="专项核查", by=by, note=note)


def _existing(ids) -> tuple[set, dict]:
    """The checked licences' findings: keys staff handled, and the open ones with their messages."""
    rows = LicenceFinding.objects.order_by()
    if ids is not None:
        rows = rows.filter(licence_id__in=ids)
    handled, still_open = set(), {}
    for pk, licence_id, key, status, message in rows.values_list("pk", "licence_id", "key", "status", "message"):
        if status == LicenceFinding.Status.OPEN:
            still_open[licence_id, key] = (pk, message)
        else:
            handled.add((licence_id, key))
    return handled, still_open


def _load(ids) -> Register:
    def only(queryset, lookup="licence_id"):
        return queryset if ids is None else queryset.filter(**{f"{lookup}__in": ids})

    fields = ("id", "number", "holder_id", "accepted_on", "decided_on")
    register = Register(licences=list(only(ManufacturingLicence.objects.order_by(), "id").values_list(*fields)))
    for row in only(LicenceScopeLine.objects.order_by("id")).values_list(
        "licence_id", "id", "instrument_type_id", "model", "decided_on"
    ):
        register.lines[row[0]].append(row[1:])
    through = ManufacturingLicence.approvals.through.objects.order_by()
    for licence_id, approval_id in only(through, "manufacturinglicence_id").values_list(
        "manufacturinglicence_id", "patternapproval_id"
    ):
        register.linked[licence_id].append(approval_id)
    for licence_id, kind, first, last in only(ExcludedPeriod.objects.order_by()).values_list(
        "licence_id", "kind", "starts_on", "ends_on"
    ):
        register.excluded[licence_id].append((kind, first, last))
    for licence_id, days in only(LicenceExtension.objects.order_by()).values_list("licence_id", "days"):
        register.extension_days[licence_id] = register.extension_days.get(licence_id, 0) + days
    for row in only(LicenceVersion.objects.order_by("sequence")).values_list(
        "licence_id", "id", "sequence", "kind", "decided_on", "announced_on", "filed_on"
    ):
        register.versions[row[0]].append(row[1:])
    for type_id, first, last in KeyListEntry.objects.values_list("instrument_type_id", "valid_from", "valid_to"):
        register.key_list[type_id].append((first, last))
    for row in InstitutionAuthorization.objects.values_list(
        "institution_id", "instrument_type_id", "authorized_from", "authorized_to"
    ):
        register.authorized[row[:2]].append(row[2:])
    _load_approvals(register, ids)
    register.type_names = dict(InstrumentType.objects.values_list("id", "name"))
    register.institution_names = dict(EvaluationInstitution.objects.values_list("id", "name"))
    return register


def _load_approvals(register: Register, ids) -> None:
    approvals = PatternApproval.objects.order_by()
    if ids is not None:  # the holders' approvals (L3a) and the linked ones, whoever holds them (L3c)
        holders = {row[2] for row in register.licences}
        linked = {approval_id for approval_ids in register.linked.values() for approval_id in approval_ids}
        approvals = approvals.filter(Q(manufacturer_id__in=holders) | Q(id__in=linked))
    for row in approvals.values_list(
        "id", "number", "manufacturer_id", "instrument_type_id", "model_names", "institution_id", "approved_on"
    ):
        approval_id, _, manufacturer_id, type_id, names, _, _ = row
        register.approvals[approval_id] = row
        register.approved_models[manufacturer_id, type_id].update(model_key(name) for name in split_models(names))


def _findings(register: Register, policy, today: dt.date) -> list[Found]:
    if not register.licences:
        return []
    first = min(min(row[3] for row in register.licences), min(row[4] for row in register.licences))
    days = WorkingDays(first, max(today, *(row[4] for row in register.licences)) + dt.timedelta(days=400))
    found: list[Found] = []
    for licence in register.licences:
        found += _scope(register, licence)
        found += _time(register, licence, days, policy)
        found += _institutions(register, licence)
        found += _publicity(register, licence, days, policy, today)
    return found


def _on_list(periods, day) -> bool:
    return any((first is None or first <= day) and (last is None or day <= last) for first, last in periods)


def _scope(register: Register, licence) -> list[Found]:
    """L3a: each scope line's type is on the catalogue in force on the date of the decision that brought the line into
    the scope (a change is checked on its own date), and its model is approved."""
    licence_id, _, holder_id, _, granted_on = licence
    found = []
    for line_id, type_id, model, line_decided_on in register.lines[licence_id]:
        decided_on = line_decided_on or granted_on  # the decision (grant or change) that brought the line in
        type_name = register.type_names[type_id]
        if not _on_list(register.key_list.get(type_id, ()), decided_on):
            found.append(
                Found(
                    licence_id,
                    Rule.SCOPE_TYPE,
                    f"scope_type:{line_id}",
                    f"许可范围中的“{type_name}”（型号{model}）不在许可决定日{decided_on:%Y-%m-%d}有效的"
                    "重点管理计量器具目录中",
                    {"scope_line": line_id, "decided_on": f"{decided_on:%Y-%m-%d}"},
                )
            )
        if model_key(model) not in register.approved_models.get((holder_id, type_id), ()):
            found.append(
                Found(
                    licence_id,
                    Rule.SCOPE_APPROVAL,
                    f"scope_approval:{line_id}",
                    f"许可范围中的{type_name}型号“{model}”没有本企业同类器具的型式批准",
                    {"scope_line": line_id},
                )
            )
    return found


def _time(register: Register, licence, days: WorkingDays, policy) -> list[Found]:
    """L3b: working days from acceptance to decision, less excluded periods, within 20 (30 with an extension)."""
    licence_id, _, _, accepted_on, decided_on = licence
    spent = days.after(accepted_on, decided_on)
    # Only the part inside the processing period counts, and a day inside several periods counts once: the total
    # deducted is the working days of the union of the periods; each kind's own days are shown as recorded.
    spans = defaultdict(list)
    for kind, first, last in register.excluded[licence_id]:
        first, last = max(first, accepted_on + dt.timedelta(days=1)), min(last, decided_on)
        if first <= last:
            spans[kind].append((first, last))
    excluded = {kind: _union_days(days, periods) for kind, periods in spans.items()}
    deducted_days = _union_days(days, [span for periods in spans.values() for span in periods])
    used = spent - deducted_days
    extension = register.extension_days.get(licence_id, 0)
    limit = policy.decision_days + extension
    if used <= limit:
        return []
    deducted = "，".join(f"已扣除{EXCLUDED_KINDS[kind]}{n}个工作日" for kind, n in excluded.items() if n)
    if deducted and deducted_days < sum(excluded.values()):
        deducted += f"，重叠日期只计一次，共扣除{deducted_days}个工作日"
    extended = f"，含延长{extension}个工作日" if extension else ""
    message = (
        f"受理至决定用时{used}个工作日（时限{limit}个工作日{extended}"
        f"{'；' + deducted if deducted else ''}）{days.unpublished_note(accepted_on, decided_on)}"
    )
    numbers = {"working_days": used, "elapsed": spent, "limit": limit, "extension": extension,
               "excluded": dict(excluded), "deducted": deducted_days}  # fmt: skip
    return [Found(licence_id, Rule.OVERDUE, "overdue", message, numbers)]


def _union_days(days: WorkingDays, periods: list[tuple[dt.date, dt.date]]) -> int:
    """Working days in the union of the periods, both ends counted: overlapping days count once (L3b)."""
    total, covered_to = 0, None
    for first, last in sorted(periods):
        if covered_to is not None and first <= covered_to:
            first = covered_to + dt.timedelta(days=1)
        if first <= last:
            total += days.within(first, last)
        covered_to = last if covered_to is None else max(covered_to, last)
    return total


def _institutions(register: Register, licence) -> list[Found]:
    """L3c: the evaluation institution of each linked approval was authorized for its type on the approval date."""
    licence_id = licence[0]
    found = []
    for approval_id in register.linked[licence_id]:
        _, number, _, type_id, _, institution_id, approved_on = register.approvals[approval_id]
        if institution_id is None:
            message = f"型式批准{number}未登记型式评价机构"
        elif not _on_list(register.authorized.get((institution_id, type_id), ()), approved_on):
            message = (
                f"型式批准{number}的型式评价机构“{register.institution_names[institution_id]}”在批准日"
                f"{approved_on:%Y-%m-%d}未获{register.type_names[type_id]}型式评价授权"
            )
        else:
            continue
        numbers = {"approval": approval_id, "approved_on": f"{approved_on:%Y-%m-%d}"}
        found.append(Found(licence_id, Rule.INSTITUTION, f"institution:{approval_id}", message, numbers))
    return found


def _publicity(register: Register, licence, days: WorkingDays, policy, today: dt.date) -> list[Found]:
    """L3d: each grant, change and cancellation announced and filed with the national system within 20 working days.

    L3d names those three decisions only; a revocation (撤销) is not checked for publicity.
    """
    licence_id = licence[0]
    found = []
    for version_id, sequence, kind, decided_on, announced_on, filed_on in register.versions[licence_id]:
        if kind not in PUBLICISED_KINDS:
            continue
        checks = (
            (Rule.ANNOUNCEMENT, announced_on, policy.announcement_days, "公告"),
            (Rule.FILING, filed_on, policy.filing_days, "报总局备案"),
        )
        for rule, done_on, limit, verb in checks:
            taken = days.after(decided_on, done_on or today)
            if taken <= limit:
                continue
            what = f"{DECISION_KINDS[kind]}决定（{decided_on:%Y-%m-%d}）"
            if done_on:
                message = f"{what}后第{taken}个工作日才{verb}（时限{limit}个工作日）"
            else:
                message = f"{what}已过{taken}个工作日仍未{verb}（时限{limit}个工作日）"
            message += days.unpublished_note(decided_on, done_on or today)
            numbers = {"version": sequence, "working_days": taken, "limit": limit, "done": bool(done_on)}
            found.append(Found(licence_id, rule, f"{rule}:{version_id}", message, numbers))
    return found


# --- re-checking after an edit to what the checks read (L3) ---------------------------------------------------
# Each save of a pattern approval, a catalogue entry, an institution's authorization or the time-limit policy calls
# one of these from the admin or the import (never a signal), so the findings of the licences concerned follow.


def _recheck(licences, by) -> dict:
    licences = list(licences.order_by().distinct())
    if not licences:
        return {"licences": 0, "found": 0, "unchanged": 0, "kept": 0, "removed": 0}
    return run_checks(licences, by=by)


def recheck_for_approvals(approvals: Iterable[PatternApproval], *, by=None, manufacturer_ids=()) -> dict:
    """L3a/L3c: licences of the approvals' holders (their models), and licences resting on the approvals (their
    institution); `manufacturer_ids` adds holders an approval was moved away from."""
    approvals = list(approvals)
    holders = {approval.manufacturer_id for approval in approvals} | set(manufacturer_ids)
    ids = [approval.pk for approval in approvals]
    return _recheck(ManufacturingLicence.objects.filter(Q(holder_id__in=holders) | Q(approvals__in=ids)), by)


def recheck_for_types(type_ids: Iterable[int], *, by=None) -> dict:
    """L3a: licences with a scope line of one of the types (a catalogue entry changed)."""
    return _recheck(ManufacturingLicence.objects.filter(scope_lines__instrument_type_id__in=list(type_ids)), by)


def recheck_for_institutions(institution_ids: Iterable[int], *, by=None) -> dict:
    """L3c: licences resting on an approval evaluated by one of the institutions (its authorizations changed)."""
    return _recheck(ManufacturingLicence.objects.filter(approvals__institution_id__in=list(institution_ids)), by)


def recheck_all(*, by=None) -> dict:
    """L3b/L3d: the time limits changed, so every licence is checked again."""
    return _recheck(ManufacturingLicence.objects.exclude(status=""), by)
