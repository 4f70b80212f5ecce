"""The special inspection's documents (DOMAIN L4, L6): the two attachments of 质检量函〔2016〕27号 as Excel workbooks,
and the summary report (核查工作总结) as a Chinese PDF.

The attachments' layout is the notice's, cell for cell: Attachment 1 has a two-level header (省份 and 备注 span both
header rows, 许可工作情况 and 行政审批制度改革情况 each span four columns) and three notes below the table;
Attachment 2 has one header row and one note. The texts are copied from the notice as published.
"""

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from zzmetro.exports import safe_cell

SURVEY_LABEL = "附件1"
SURVEY_TITLE = "重点管理的计量器具型式批准和制造许可情况调查表"
SURVEY_UNIT = "报送单位:"
SURVEY_SEAL = "(公章)"
# (top header, [sub-headers]); a group without sub-headers spans both header rows.
SURVEY_HEADER = (
    ("省份", []),
    (
        "许可工作情况",
        [
            "是否超范围许可",
            "型式评价机构是否为总局统一授权的机构",
            "制造许可核准、变更、注销公告的方式",
            "制造许可获证名单是否报总局备案",
        ],
    ),
    (
        "行政审批制度改革情况",
        ["是否开展网上审批", "型式批准证书发证部门和层级", "制造许可证发证部门和层级", "行政审批制度改革情况"],
    ),
    ("备注", []),
)
SURVEY_NOTES = (
    "备注: 1、型式评价机构如非总局统一授权的机构, 请在备注中说明原因",
    "2、型式批准、制造许可证发证部门请填写到处(科), 发证层级填写省级、市级或县级",
    "3、行政审批制度改革情况一栏简要填写当地行政审批改革措施, 如现场许可或并联审批等",
)
SURVEY_WIDTHS = (10, 12, 18, 22, 18, 12, 22, 22, 30, 26)

ADMINISTRATORS_LABEL = "附件2"
ADMINISTRATORS_TITLE = "计量器具许可证管理系统省局系统管理员信息表"
ADMINISTRATORS_HEADER = ("姓名", "单位", "职务", "办公电话", "手机", "E-mail")
ADMINISTRATORS_NOTE = "备注：若系统管理员发生变动，请再次填写此表，并及时上报总局计量司。"
ADMINISTRATORS_WIDTHS = (12, 30, 16, 16, 16, 26)
ADMINISTRATORS_BLANK_ROWS = 3  # rows to fill in by hand when no administrator is recorded yet

YES, NO = "是", "否"

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def yes_no(value: bool | None) -> str:
    return "" if value is None else (YES if value else NO)


@dataclass(frozen=True)
class SurveyRow:
    """One line of Attachment 1: a province's answers. Yes/no columns hold True, False or None (not answered)."""

    province: str
    over_scope: bool | None = None
    institutions_authorized: bool | None = None
    announcement: str = ""
    filed_nationally: bool | None = None
    online_approval: bool | None = None
    approval_issuers: str = ""
    licence_issuers: str = ""
    reform: str = ""
    remarks: str = ""

    def cells(self) -> list:
        return [
            self.province,
            yes_no(self.over_scope),
            yes_no(self.institutions_authorized),
            self.announcement,
            yes_no(self.filed_nationally),
            yes_no(self.online_approval),
            self.approval_issuers,
            self.licence_issuers,
            self.reform,
            self.remarks,
        ]


@dataclass(frozen=True)
class AdministratorRow:
    """One line of Attachment 2."""

    name: str
    unit: str
    title: str = ""
    office_phone: str = ""
    mobile: str = ""
    email: str = ""

    def cells(self) -> list:
        return [self.name, self.unit, self.title, self.office_phone, self.mobile, self.email]


def survey_columns() -> int:
    return sum(max(len(subs), 1) for _, subs in SURVEY_HEADER)


def survey_workbook(rows: list[SurveyRow], *, unit: str = "") -> bytes:
    """Attachment 1 (重点管理的计量器具型式批准和制造许可情况调查表), one row per province."""
    width = survey_columns()
    book, sheet = _sheet(SURVEY_TITLE, SURVEY_WIDTHS, landscape=True)
    _banner(sheet, 1, SURVEY_LABEL, width, Font(bold=True, size=12), _LEFT)
    _banner(sheet, 2, SURVEY_TITLE, width, Font(bold=True, size=16), _CENTER)
    _banner(sheet, 3, " ".join(part for part in (SURVEY_UNIT, unit, SURVEY_SEAL) if part), width, Font(size=11), _LEFT)
    _survey_header(sheet, top=4)
    first = 6
    for offset, row in enumerate(rows):
        _body_row(sheet, first + offset, row.cells())
    after = first + len(rows)
    for offset, note in enumerate(SURVEY_NOTES):
        _banner(sheet, after + offset, note, width, Font(size=10), _LEFT)
    sheet.print_title_rows = "4:5"
    return _save(book)


def _survey_header(sheet, *, top: int) -> None:
    column, bold = 1, Font(bold=True)
    for group, subs in SURVEY_HEADER:
        span = max(len(subs), 1)
        _boxed(sheet, top, column, group, bold, _CENTER, to_row=top + (0 if subs else 1), to_column=column + span - 1)
        for index, sub in enumerate(subs):
            _boxed(sheet, top + 1, column + index, sub, bold, _CENTER)
        column += span
    sheet.row_dimensions[top + 1].height = 48


def administrators_workbook(rows: list[AdministratorRow]) -> bytes:
    """Attachment 2 (计量器具许可证管理系统省局系统管理员信息表)."""
    width = len(ADMINISTRATORS_HEADER)
    book, sheet = _sheet(ADMINISTRATORS_TITLE, ADMINISTRATORS_WIDTHS, landscape=False)
    _banner(sheet, 1, ADMINISTRATORS_LABEL, width, Font(bold=True, size=12), _LEFT)
    _banner(sheet, 2, ADMINISTRATORS_TITLE, width, Font(bold=True, size=16), _CENTER)
    for column, header in enumerate(ADMINISTRATORS_HEADER, start=1):
        _boxed(sheet, 3, column, header, Font(bold=True), _CENTER)
    lines = [row.cells() for row in rows] or [[""] * width] * ADMINISTRATORS_BLANK_ROWS
    for offset, cells in enumerate(lines):
        _body_row(sheet, 4 + offset, cells)
    _banner(sheet, 4 + len(lines), ADMINISTRATORS_NOTE, width, Font(size=10), _LEFT)
    return _save(book)


# ---------------------------------------------------------------- cells


def _sheet(title: str, widths: tuple[int, ...], *, landscape: bool):
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return book, sheet


def _banner(sheet, row: int, text: str, width: int, font: Font, alignment: Alignment) -> None:
    """A line across the whole table (title, unit, a note)."""
    cell = sheet.cell(row=row, column=1, value=text)
    cell.font, cell.alignment = font, alignment
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _boxed(sheet, row: int, column: int, text: str, font: Font, alignment: Alignment, *, to_row=None, to_column=None):
    to_row, to_column = to_row or row, to_column or column
    for r in range(row, to_row + 1):
        for c in range(column, to_column + 1):
            sheet.cell(row=r, column=c).border = _BOX
    cell = sheet.cell(row=row, column=column, value=text)
    cell.font, cell.alignment = font, alignment
    if (to_row, to_column) != (row, column):
        sheet.merge_cells(start_row=row, start_column=column, end_row=to_row, end_column=to_column)


def _body_row(sheet, row: int, cells: list) -> None:
    for column, value in enumerate(cells, start=1):
        cell = sheet.cell(row=row, column=column, value=safe_cell(value) if value != "" else None)
        cell.border, cell.alignment = _BOX, _WRAP


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def summary_pdf(report) -> bytes:
    """The summary report (核查工作总结) as it stands today: figures from the register, text by staff (L6, D1)."""
    from authorizations.documents import ISSUING_AUTHORITY
    from inspections.selectors.licence_documents import summary_context
    from zzmetro.pdf import render_pdf

    return render_pdf("inspections/licences/summary.html", {"authority": ISSUING_AUTHORITY, **summary_context(report)})
