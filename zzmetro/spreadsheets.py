"""Reading uploaded Excel files safely and writing templates and error reports.

Every upload is treated as hostile until proven otherwise: `zzmetro.xlsx_guard` reads the type from the bytes,
measures the zip before decompressing, resolves the sheet the parser will read and streams it once, refusing
cells beyond the template's columns or the row limit, formulas and merged header cells; only then does
python-calamine build the grid. Cell values are then cleaned per column (`Field`), and every
problem is reported with its Excel row number and column header (DOMAIN: bad input gets a clear message).
"""

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Callable, Iterator

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from zzmetro import xlsx_guard as guard

SpreadsheetError = guard.SpreadsheetError  # raised for a whole-file problem; nothing in the file is used


@dataclass(frozen=True)
class Field:
    """One column of an import template."""

    header: str
    key: str
    kind: str = "text"  # text | int | decimal | date | choice
    required: bool = True
    choices: dict[str, str] | None = None  # label shown in Excel -> stored value
    max_length: int | None = None
    min_value: int | None = 0
    width: int = 16


@dataclass(frozen=True)
class CellError:
    row: int  # Excel row number; the header is row 1
    column: str  # header text, or "" for a whole-row problem
    message: str
    item: str = ""  # what the row is about, when the importer knows it (the item a monthly line reports)


@dataclass
class ParsedRow:
    row: int
    values: dict
    errors: list[CellError] = field(default_factory=list)


def _clean_headers(raw: list) -> list[str]:
    return [str(v).strip() if v is not None else "" for v in raw]


def _check_headers(found: list[str], fields: list[Field]) -> None:
    expected = [f.header for f in fields]
    trimmed = found[: len(expected)]
    if trimmed != expected:
        missing = [h for h in expected if h not in found]
        detail = f"缺少列：{'、'.join(missing)}" if missing else "列的顺序与模板不一致"
        raise SpreadsheetError(f"表头与模板不一致（{detail}）。第1行应为：{'、'.join(expected)}。")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value, spec: Field):
    """Return (cleaned value, error message or None)."""
    return cleaner(spec)(value)


FORMULA_TEXT = ("=", "@")


def cleaner(spec: Field):
    """A function value -> (cleaned, problem) for one column, built once per import (the hot loop)."""
    convert = {
        "text": _text_cleaner,
        "int": _int_cleaner,
        "decimal": _decimal_cleaner,
        "date": _date_cleaner,
        "choice": _choice_cleaner,
    }
    if spec.kind not in convert:
        raise ValueError(spec.kind)
    if spec.kind == "text":
        return _text_cleaner(spec)  # blank handling fused in: one call per cell
    required = "必填" if spec.required else None
    inner = convert[spec.kind](spec)

    def clean(value):
        if value is None or value == "":
            return None, required
        if type(value) is str:
            value = value.strip()
            if not value:
                return None, required
        return inner(value)

    return clean


def _text_cleaner(spec: Field):
    limit = spec.max_length or 0
    missing = (None, "必填" if spec.required else None)

    def clean(value):
        if type(value) is str:
            value = value.strip()
            if not value:
                return missing
        elif value is None:
            return missing
        else:
            value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if limit and len(value) > limit:
            return None, f"超过{limit}个字符"
        if value[0] in "=@":
            return None, f"内容以“{value[0]}”开头，疑似公式，已拒绝（请删去开头的“{value[0]}”）"
        return value, None

    return clean


def _int_cleaner(spec: Field):
    def clean(value):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return None, "应为整数"
        try:
            number = float(value)
        except ValueError:
            return None, f"“{value}”不是整数"
        if not number.is_integer():
            return None, f"“{value}”不是整数"
        if spec.min_value is not None and number < spec.min_value:
            return None, f"不能小于{spec.min_value}"
        return int(number), None

    return clean


def _decimal_cleaner(spec: Field):
    def clean(value):
        try:
            return Decimal(str(value)), None
        except InvalidOperation:
            return None, f"“{value}”不是数字"

    return clean


def _date_cleaner(spec: Field):
    return _clean_date


def _choice_cleaner(spec: Field):
    choices = spec.choices or {}
    listed = "、".join(choices)

    def clean(value):
        label = str(value)
        if label in choices:
            return choices[label], None
        return None, f"“{label}”不是可选值（{listed}）"

    return clean


_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _clean_date(value):
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    match = _DATE_TEXT.match(str(value).strip())
    if match:
        try:
            return dt.date(*map(int, match.groups())), None
        except ValueError:
            pass
    return None, f"“{value}”不是有效日期，请填写如 2026-03-05 的日期"


def read_rows(
    upload: IO[bytes] | bytes,
    fields: list[Field],
    *,
    max_rows: int = 200_000,
    allow_formulas: bool = False,
    on_checked: Callable[[int], object] | None = None,
) -> Iterator[ParsedRow]:
    """Check the whole file, then yield each non-empty data row cleaned per `fields`.

    Raises SpreadsheetError before yielding anything if the file as a whole is unusable. `on_checked(rows)` is
    called with an upper bound of the sheet's rows once every safety check has passed and just before the parser
    runs: the parser releases the GIL, so work a thread starts there overlaps the parse.
    """
    data = upload if isinstance(upload, bytes) else upload.read()
    checked = guard.check_workbook(
        data, guard.Limits(max_rows=max_rows, width=len(fields), allow_formulas=allow_formulas)
    )
    if on_checked:
        on_checked(checked.rows)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        # The scan read the sheet it resolved as calamine would; if calamine named another, nothing was checked.
        if book.sheet_names[:1] != [checked.sheet_name]:
            raise SpreadsheetError(guard.ODD.format("第一个工作表无法确定"))
        table = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except SpreadsheetError:
        raise
    except Exception as error:  # calamine raises its own error types for broken parts
        raise SpreadsheetError("Excel文件内容无法读取，请使用下载的模板重新填写。") from error
    if not table or all(_blank(v) for v in table[0]):
        raise SpreadsheetError("工作表是空的：第1行应为表头，第2行起为数据。")
    _check_headers(_clean_headers(table[0]), fields)
    if not any(any(not _blank(v) for v in row) for row in table[1:]):
        raise SpreadsheetError("工作表只有表头，没有数据行。")
    return _rows(table, fields)


def _rows(table, fields) -> Iterator[ParsedRow]:
    width = len(fields)
    columns = [(spec.key, spec.header, cleaner(spec)) for spec in fields]
    for index, raw in enumerate(table[1:], start=2):
        cells = raw[:width] if len(raw) >= width else list(raw) + [None] * (width - len(raw))
        empties = cells.count(None) + cells.count("")
        if empties == width or (empties and all(_blank(v) for v in cells)):
            continue
        values, errors = {}, []
        for (key, header, clean), value in zip(columns, cells):
            values[key], problem = clean(value)
            if problem:
                errors.append(CellError(index, header, problem))
        yield ParsedRow(row=index, values=values, errors=errors)


def _header_row(sheet, headers: list[str], widths: list[int]) -> None:
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE9E7")
    for column, (header, width) in enumerate(zip(headers, widths), start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def template_workbook(fields: list[Field], *, title: str, example_rows: list[list] = ()) -> bytes:
    """A template with the exact headers, drop-down lists for choice columns and optional example rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    _header_row(sheet, [f.header for f in fields], [f.width for f in fields])
    for column, spec in enumerate(fields, start=1):
        if spec.kind == "choice":
            letter = sheet.cell(row=1, column=column).column_letter
            validation = DataValidation(
                type="list", formula1='"' + ",".join(spec.choices) + '"', allow_blank=not spec.required
            )
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    for row in example_rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_workbook(errors: list[CellError], *, title: str = "导入错误报告") -> bytes:
    """Errors as a workbook the user can download, sort and work through; a 项目 column when rows name one."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    with_item = any(error.item for error in errors)
    sheet.append(["行号", "项目", "列", "问题"] if with_item else ["行号", "列", "问题"])
    for error in errors:
        where = [error.row or "", _neutral(error.item)] if with_item else [error.row or ""]
        sheet.append([*where, error.column, _neutral(error.message)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _neutral(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
