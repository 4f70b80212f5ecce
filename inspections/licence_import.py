"""Import of an existing licence register from the Excel templates (DOMAIN L2, G4).

Two templates, each read by the hostile-file-safe reader (zzmetro.spreadsheets): pattern approvals (型式批准), one
row per certificate, and manufacturing licences (制造计量器具许可证), one row per scope line — the rows of one
licence share its number and repeat its licence columns. Every row is checked and every problem reported with its
row and column; if there is any, nothing is saved. Otherwise everything is saved in one transaction, and each
licence is granted (and, with a cancellation date, cancelled) through the register's services, so the imported
licences have the same versions and events as those entered by hand (A12, L5).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from authorizations.validators import normalize_credit_code, validate_credit_code
from inspections.models import (
    EvaluationInstitution,
    InstrumentType,
    IssuingLevel,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
)
from inspections.models.licences import AnnouncedVia, model_key, split_models
from inspections.services import licences as services
from inspections.services.licence_checks import recheck_for_approvals, run_checks
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.spreadsheets import CellError, Field, SpreadsheetError, read_rows, template_workbook

IMPORTED = "从登记簿导入"
# No register entry predates 1990 (the 1987 metrology law's rules came into use then); an earlier date is a slip.
EARLIEST = dt.date(1990, 1, 1)
MAX_ROWS = 20_000  # a province's register is a few thousand lines; beyond this the file is not a register

LEVELS = {label: value for value, label in IssuingLevel.choices}
VIA = {label: value for value, label in AnnouncedVia.choices}

H_NAME, H_CODE, H_TYPE = "企业名称", "统一社会信用代码", "计量器具类别"
H_NUMBER, H_APPROVALS, H_VIA = "许可证编号", "型式批准证书编号", "公告方式"
H_CERT, H_INSTITUTION = "证书编号", "型式评价机构"
H_ACCEPTED, H_DECIDED, H_ANNOUNCED, H_FILED, H_CANCELLED = (
    "受理日期",
    "许可决定日期",
    "公告日期",
    "报总局备案日期",
    "注销日期",
)
H_CANCEL_ANNOUNCED, H_CANCEL_VIA, H_CANCEL_FILED = "注销公告日期", "注销公告方式", "注销报总局备案日期"
H_MODEL, H_APPROVED = "型号", "批准日期"

MANUFACTURER_FIELDS = [
    Field(H_NAME, "name", max_length=200, width=30),
    Field(H_CODE, "credit_code", max_length=40, width=22),
    Field("企业地址", "address", required=False, max_length=200, width=30),
    Field("所在市", "city", required=False, max_length=20, width=10),
    Field("所在县（区）", "county", required=False, max_length=20, width=12),
]
APPROVAL_FIELDS = [
    Field(H_CERT, "number", max_length=50, width=20),
    *MANUFACTURER_FIELDS,
    Field(H_TYPE, "instrument_type", max_length=50, width=16),
    Field("型号", "model_names", max_length=1000, width=24),
    Field("测量范围", "measuring_range", required=False, max_length=200, width=18),
    Field("准确度等级", "accuracy_class", required=False, max_length=50, width=12),
    Field(H_INSTITUTION, "institution", required=False, max_length=200, width=30),
    Field("型式评价报告编号", "report_number", required=False, max_length=50, width=18),
    Field("批准部门", "department", max_length=100, width=24),
    Field("批准层级", "level", kind="choice", choices=LEVELS, width=10),
    Field("批准日期", "approved_on", kind="date", width=12),
]
LICENCE_FIELDS = [
    Field(H_NUMBER, "number", max_length=50, width=20),
    *MANUFACTURER_FIELDS,
    Field(H_TYPE, "instrument_type", max_length=50, width=16),
    Field("型号", "model", max_length=100, width=16),
    Field("测量范围", "measuring_range", required=False, max_length=200, width=18),
    Field("准确度等级", "accuracy_class", required=False, max_length=50, width=12),
    Field(H_APPROVALS, "approvals", required=False, max_length=500, width=22),
    Field("发证部门", "department", max_length=100, width=24),
    Field("发证层级", "level", kind="choice", choices=LEVELS, width=10),
    Field(H_ACCEPTED, "accepted_on", kind="date", width=12),
    Field(H_DECIDED, "decided_on", kind="date", width=12),
    Field("有效期至", "valid_until", kind="date", required=False, width=12),
    Field(H_ANNOUNCED, "announced_on", kind="date", required=False, width=12),
    Field(H_VIA, "announced_via", kind="choice", choices=VIA, required=False, width=12),
    Field(H_FILED, "filed_on", kind="date", required=False, width=14),
    Field(H_CANCELLED, "cancelled_on", kind="date", required=False, width=12),
    # The cancellation is a decision of its own (L3d): how and when it was announced and filed.
    Field(H_CANCEL_ANNOUNCED, "cancel_announced_on", kind="date", required=False, width=14),
    Field(H_CANCEL_VIA, "cancel_announced_via", kind="choice", choices=VIA, required=False, width=14),
    Field(H_CANCEL_FILED, "cancel_filed_on", kind="date", required=False, width=16),
]
# Columns that describe the licence, not the scope line: every row of one licence must give the same values.
LICENCE_KEYS = [
    f
    for f in LICENCE_FIELDS
    if f.key not in ("number", "instrument_type", "model", "measuring_range", "accuracy_class", "approvals")
]


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    fields: list[Field]


APPROVALS = Kind("approvals", "型式批准", APPROVAL_FIELDS)
LICENCES = Kind("licences", "制造计量器具许可证", LICENCE_FIELDS)
KINDS = {kind.key: kind for kind in (APPROVALS, LICENCES)}


@dataclass
class ImportOutcome:
    rows: int = 0
    manufacturers: int = 0
    created: int = 0  # approvals or licences
    findings: int = 0  # found by checking the imported licences
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template(kind: Kind) -> bytes:
    return template_workbook(kind.fields, title=f"{kind.label}导入模板", example_rows=[_example(kind)])


def _example(kind: Kind) -> list:
    company = ["郑州示例电子有限公司", "91410100MA44XXXXXX", "郑州市高新区长椿路11号", "郑州市", "高新区"]
    if kind is APPROVALS:
        return ["2016F101-41", *company, "电能表", "DDS666、DTS666", "5(60)A", "2级", "河南省计量科学研究院",
                "PJ2016-001", "河南省质量技术监督局计量处", "省级", dt.date(2016, 3, 1)]  # fmt: skip
    return ["豫制00000001号", *company, "电能表", "DDS666", "5(60)A", "2级", "2016F101-41",
            "河南省质量技术监督局计量处", "省级", dt.date(2016, 4, 1), dt.date(2016, 4, 25), dt.date(2019, 4, 24),
            dt.date(2016, 5, 10), "网站", dt.date(2016, 5, 20), None, None, None, None]  # fmt: skip


# ---------------------------------------------------------------- checking


class Checker:
    """Resolves names to register rows, loading each table once, and keeps what the file itself declares."""

    def __init__(self):
        self.types = {t.name: t for t in InstrumentType.objects.all()} | {
            t.code: t for t in InstrumentType.objects.all()
        }
        self.manufacturers = {m.credit_code: m for m in Manufacturer.objects.all()}
        self.file_companies: dict[str, tuple[int, str]] = {}  # credit code -> (first row, name)
        self.errors: list[CellError] = []

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(CellError(row, column, message))

    def instrument_type(self, row: int, value: str | None):
        if value is None:
            return None
        found = self.types.get(value)
        if found is None:
            self.error(row, H_TYPE, f"没有“{value}”这个计量器具类别（可填：{'、'.join(sorted(self._type_names()))}）")
        return found

    def _type_names(self) -> set[str]:
        return {t.name for t in self.types.values()}

    def company(self, row: int, v: dict) -> str | None:
        """The row's credit code, checked; the same code must name the same company everywhere."""
        code, name = v["credit_code"], v["name"]
        if code is None:
            return None
        code = normalize_credit_code(code)
        try:
            validate_credit_code(code)
        except ValidationError as error:
            self.error(row, H_CODE, " ".join(error.messages))
            return None
        known = self.manufacturers.get(code)
        if known is not None and name and known.name != name:
            self.error(row, H_NAME, f"该统一社会信用代码在登记簿中的企业名称为“{known.name}”")
        first = self.file_companies.setdefault(code, (row, name))
        if name and first[1] and first[1] != name:
            self.error(row, H_NAME, f"与第{first[0]}行同一统一社会信用代码的企业名称“{first[1]}”不一致")
        return code


def _check_approvals(rows, checker: Checker) -> list[dict]:
    existing = set(PatternApproval.objects.values_list("number", flat=True))
    institutions = {i.name: i for i in EvaluationInstitution.objects.all()}
    seen: dict[str, int] = {}
    valid = []
    for parsed in rows:
        v, row = parsed.values, parsed.row
        checker.errors.extend(parsed.errors)
        v["credit_code"] = checker.company(row, v)
        v["instrument_type"] = checker.instrument_type(row, v["instrument_type"])
        if v["institution"] is not None:
            name = v["institution"]
            v["institution"] = institutions.get(name)
            if v["institution"] is None:
                checker.error(row, H_INSTITUTION, f"登记簿中没有“{name}”这个型式评价机构，请先在型式评价机构中登记")
        _check_period(checker, row, v, (("approved_on", H_APPROVED),))
        number = v["number"]
        if number in existing:
            checker.error(row, H_CERT, f"证书编号“{number}”已在登记簿中")
        elif number in seen:
            checker.error(row, H_CERT, f"证书编号“{number}”与第{seen[number]}行重复")
        elif number:
            seen[number] = row
        valid.append(v)
    return valid


def _check_licences(rows, checker: Checker) -> dict[str, list[tuple[int, dict]]]:
    existing = set(ManufacturingLicence.objects.values_list("number", flat=True))
    approvals = {a.number: a for a in PatternApproval.objects.select_related("manufacturer")}
    licences: dict[str, list[tuple[int, dict]]] = {}
    for parsed in rows:
        v, row = parsed.values, parsed.row
        checker.errors.extend(parsed.errors)
        v["credit_code"] = checker.company(row, v)
        v["instrument_type"] = checker.instrument_type(row, v["instrument_type"])
        v["approvals"] = _approvals(checker, row, v, approvals)
        _check_dates(checker, row, v)
        number = v["number"]
        if number in existing:
            checker.error(row, H_NUMBER, f"许可证编号“{number}”已在登记簿中（变更请在许可证页面办理）")
        elif number:
            lines = licences.setdefault(number, [])
            if lines:
                _check_same_licence(checker, row, v, *lines[0])
                _check_repeated_line(checker, row, v, lines)
            lines.append((row, v))
    return licences


def _approvals(checker: Checker, row: int, v: dict, approvals: dict) -> list:
    found = []
    for number in _split(v["approvals"]):
        approval = approvals.get(number)
        if approval is None:
            checker.error(row, H_APPROVALS, f"登记簿中没有型式批准证书“{number}”，请先导入型式批准")
        elif v["credit_code"] and approval.manufacturer.credit_code != v["credit_code"]:
            checker.error(row, H_APPROVALS, f"型式批准证书“{number}”属于{approval.manufacturer.name}，不是本企业的")
        else:
            found.append(approval)
    return found


def _split(text: str | None) -> list[str]:
    return split_models(text or "")


def _check_period(checker: Checker, row: int, v: dict, columns) -> None:
    """Dates of things that happened: not before 1990 and not after today (a slip such as 1900 or 2099)."""
    today = beijing_today()
    for key, header in columns:
        day = v[key]
        if day and day < EARLIEST:
            checker.error(row, header, f"{header}{day:%Y-%m-%d}早于{EARLIEST:%Y年}，请核对")
        elif day and day > today:
            checker.error(row, header, f"{header}{day:%Y-%m-%d}晚于今天，不能登记尚未发生的事项")


def _check_dates(checker: Checker, row: int, v: dict) -> None:
    accepted, decided, cancelled = v["accepted_on"], v["decided_on"], v["cancelled_on"]
    happened = ((
        ("accepted_on", H_ACCEPTED), ("decided_on", H_DECIDED), ("announced_on", H_ANNOUNCED), ("filed_on", H_FILED),
        ("cancelled_on", H_CANCELLED), ("cancel_announced_on", H_CANCEL_ANNOUNCED), ("cancel_filed_on", H_CANCEL_FILED),
    ))  # fmt: skip
    _check_period(checker, row, v, happened)
    if v["valid_until"] and v["valid_until"] < EARLIEST:
        checker.error(row, "有效期至", f"有效期至{v['valid_until']:%Y-%m-%d}早于{EARLIEST:%Y年}，请核对")
    if accepted and decided and decided < accepted:
        checker.error(row, H_DECIDED, "许可决定日期早于受理日期")
    if v["announced_on"] and not v["announced_via"]:
        checker.error(row, H_VIA, "填写了公告日期时请选择公告方式")
    if v["cancel_announced_on"] and not v["cancel_announced_via"]:
        checker.error(row, H_CANCEL_VIA, "填写了注销公告日期时请选择注销公告方式")
    for key, header in (("announced_on", H_ANNOUNCED), ("filed_on", H_FILED), ("cancelled_on", H_CANCELLED)):
        if decided and v[key] and v[key] < decided:
            checker.error(row, header, f"{header}早于许可决定日期")
    for key, header in (("cancel_announced_on", H_CANCEL_ANNOUNCED), ("cancel_filed_on", H_CANCEL_FILED),
                        ("cancel_announced_via", H_CANCEL_VIA)):  # fmt: skip
        if v[key] and not cancelled:
            checker.error(row, header, f"未填写注销日期时不应填写{header}")
        elif cancelled and key != "cancel_announced_via" and v[key] and v[key] < cancelled:
            checker.error(row, header, f"{header}早于注销日期")


def _check_repeated_line(checker: Checker, row: int, v: dict, lines: list) -> None:
    """The same instrument type and model twice in one licence is refused (L2), naming the first row."""
    if v["instrument_type"] is None or not v["model"]:
        return
    key = (v["instrument_type"].pk, model_key(v["model"]))
    for first_row, first in lines:
        if first["instrument_type"] is not None and first["model"]:
            if (first["instrument_type"].pk, model_key(first["model"])) == key:
                checker.error(
                    row, H_MODEL, f"同一许可证的{v['instrument_type'].name}型号“{v['model']}”与第{first_row}行重复"
                )
                return


def _check_same_licence(checker: Checker, row: int, v: dict, first_row: int, first: dict) -> None:
    for spec in LICENCE_KEYS:
        if v[spec.key] != first[spec.key] and v[spec.key] is not None and first[spec.key] is not None:
            checker.error(row, spec.header, f"与第{first_row}行同一许可证的“{spec.header}”不一致")


# ---------------------------------------------------------------- saving


def import_register(*, kind: Kind, data: bytes, by) -> ImportOutcome:
    """Check every row of the uploaded template; save everything in one transaction, or nothing (L2).

    Raises zzmetro.spreadsheets.SpreadsheetError when the file as a whole is refused.
    """
    rows = read_rows(data, kind.fields, max_rows=MAX_ROWS)
    checker = Checker()
    outcome = ImportOutcome()
    if kind is APPROVALS:
        checked = _check_approvals(rows, checker)
        outcome.rows = len(checked)
    else:
        checked = _check_licences(rows, checker)
        outcome.rows = sum(len(lines) for lines in checked.values())
    if checker.errors:
        outcome.errors = sorted(checker.errors, key=lambda e: (e.row, _column_index(kind, e.column)))
        return outcome
    try:
        with transaction.atomic():
            companies = _save_manufacturers(checker, checked if kind is APPROVALS else _first_lines(checked))
            outcome.manufacturers = companies
            if kind is APPROVALS:
                outcome.created = _save_approvals(checker, checked, by=by)
            else:
                outcome.created, outcome.findings = _save_licences(checker, checked, by=by)
    except RowRefused as refused:  # a service's own rule: nothing was saved, the row is named
        outcome.manufacturers = outcome.created = outcome.findings = 0
        outcome.errors = [CellError(refused.row, refused.column, refused.message)]
    return outcome


def _column_index(kind: Kind, header: str) -> int:
    headers = [f.header for f in kind.fields]
    return headers.index(header) if header in headers else len(headers)


def _first_lines(licences: dict) -> list[dict]:
    return [lines[0][1] for lines in licences.values()]


def _save_manufacturers(checker: Checker, rows: list[dict]) -> int:
    created = 0
    for v in rows:
        code = v["credit_code"]
        if code in checker.manufacturers:
            continue
        checker.manufacturers[code] = Manufacturer.objects.create(
            name=v["name"],
            credit_code=code,
            address=v["address"] or "",
            city=v["city"] or "",
            county=v["county"] or "",
        )
        created += 1
    return created


def _save_approvals(checker: Checker, rows: list[dict], *, by) -> int:
    """Save the approvals, then check again the licences of their holders, whose models they may now cover (L3a)."""
    saved = PatternApproval.objects.bulk_create(
        [
            PatternApproval(
                number=v["number"],
                manufacturer=checker.manufacturers[v["credit_code"]],
                instrument_type=v["instrument_type"],
                model_names=v["model_names"],
                measuring_range=v["measuring_range"] or "",
                accuracy_class=v["accuracy_class"] or "",
                institution=v["institution"],
                report_number=v["report_number"] or "",
                department=v["department"],
                level=v["level"],
                approved_on=v["approved_on"],
            )
            for v in rows
        ]
    )
    recheck_for_approvals(saved, by=by)
    return len(rows)


class RowRefused(Exception):
    def __init__(self, row: int, column: str, message: str):
        super().__init__(message)
        self.row, self.column, self.message = row, column, message


def _save_licences(checker: Checker, licences: dict, *, by) -> tuple[int, int]:
    """Grant each licence, then check the imported ones at once, as a save in the admin does (L3)."""
    saved = []
    for number, lines in licences.items():
        row, first = lines[0]
        try:
            saved.append(_save_licence(checker, number, lines, first, by=by))
        except DomainError as error:
            raise RowRefused(row, "", error.message) from error
    return len(saved), run_checks(saved, by=by)["found"]


def _save_licence(checker: Checker, number: str, lines: list, first: dict, *, by) -> ManufacturingLicence:
    licence = services.licence_grant(
        number=number,
        holder=checker.manufacturers[first["credit_code"]],
        department=first["department"],
        level=first["level"],
        accepted_on=first["accepted_on"],
        decided_on=first["decided_on"],
        valid_until=first["valid_until"],
        scope=[
            services.Scope(v["instrument_type"], v["model"], v["measuring_range"] or "", v["accuracy_class"] or "")
            for _, v in lines
        ],
        approvals=list({a.pk: a for _, v in lines for a in v["approvals"]}.values()),
        publicity=services.Publicity(first["announced_on"], first["announced_via"] or "", first["filed_on"]),
        by=by,
        note=IMPORTED,
    )
    if first["cancelled_on"]:
        publicity = services.Publicity(
            first["cancel_announced_on"], first["cancel_announced_via"] or "", first["cancel_filed_on"]
        )
        services.licence_cancel(
            licence=licence, decided_on=first["cancelled_on"], reason=IMPORTED, by=by, publicity=publicity
        )
    return licence


__all__ = ["APPROVALS", "KINDS", "LICENCES", "ImportOutcome", "SpreadsheetError", "import_register", "template"]
