"""Reading uploaded Excel files safely and writing templates and error reports.

Every upload is treated as hostile until proven otherwise: the type is read from the bytes, the zip is
measured before anything is decompressed into memory, rows are counted while streaming the sheet XML, and
formulas or merged header cells are refused. Cell values are then cleaned per column (`Field`), and every
problem is reported with its Excel row number and column header (DOMAIN: bad input gets a clear message).
"""
import datetime as dt
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Callable, Iterator

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
ZIP_MAGIC = b"PK\x03\x04"


class SpreadsheetError(Exception):
    """A problem with the whole file; nothing in it is used."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


@dataclass
class ParsedRow:
    row: int
    values: dict
    errors: list[CellError] = field(default_factory=list)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetError("上传的文件不是Excel工作簿（.xlsx）。请使用下载的模板填写后上传，不要只修改文件扩展名。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise SpreadsheetError("Excel文件已损坏，无法打开。") from error
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError("上传的文件不是Excel工作簿（.xlsx）。")
    total = sum(info.file_size for info in archive.infolist())
    packed = max(sum(info.compress_size for info in archive.infolist()), 1)
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO and total > 20 * 1024 * 1024:
        raise SpreadsheetError("Excel文件解压后过大（疑似压缩炸弹），已拒绝处理。请只保留需要导入的数据。")
    return archive


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    sheets = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        raise SpreadsheetError("Excel文件中没有工作表。")
    return min(sheets, key=lambda n: int(re.search(r"(\d+)", n.rsplit("/", 1)[1]).group(1)))


_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# Necessary conditions of the two above, found several times faster: they start with a rare byte, not "<".
_PREFIXED_ROW = re.compile(rb":row[\s>/]")
_FORMULA_END = re.compile(rb"f[\s>/]")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:([A-Z]+)(\d+)"')


def _far_ref(limit: int) -> re.Pattern:
    """A cell beyond column CV (100), or a row/cell number with as many digits as the limit or more.

    Starts with a literal so the regex engine skips ahead at C speed; only near-limit numbers are then compared.
    """
    return re.compile(rb'r="(?:(?:[A-Z]{3}|[D-Z][A-Z]|C[W-Z])\d|[A-Z]{0,3}(\d{%d,})")' % len(str(limit)))


MAX_COLUMNS = 100
CARRY = 256  # longer than any tag we look for, so a tag split between chunks is still seen whole


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _scan_sheet(archive: zipfile.ZipFile, path: str, *, max_rows: int, allow_formulas: bool) -> int:
    """Stream the sheet XML once, before any parser loads it: size, formulas and merged header cells.

    A sheet that claims a million rows, or a far-away cell that would make a parser allocate a huge
    grid, is refused here without ever being materialised. Returns the number of row elements (an upper bound).
    """
    try:
        return _scan_stream(archive, path, max_rows=max_rows, allow_formulas=allow_formulas)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        # Sizes in the zip directory that lie about the data (a crafted bomb) end here: the CRC fails.
        raise SpreadsheetError("Excel文件已损坏或经过篡改（压缩数据与文件目录不符），已拒绝处理。") from error


def _scan_stream(archive: zipfile.ZipFile, path: str, *, max_rows: int, allow_formulas: bool) -> int:
    limit = max_rows + 1  # the header row
    far = _far_ref(limit)
    rows, carry, first = 0, b"", True
    with archive.open(path) as stream:
        while chunk := stream.read(4 * 1024 * 1024):
            window = carry + chunk
            # Rows wholly inside the carry were counted with the previous chunk.
            rows += _count_rows(window) - _count_rows(carry)
            if rows > limit:
                raise SpreadsheetError(f"工作表超过{max_rows}行数据，请分批导入。")
            if first:
                _check_dimension(window, limit)
                first = False
            _check_far_cells(far.finditer(window), limit, max_rows)
            if not allow_formulas and _FORMULA_END.search(window) and _FORMULA.search(window):
                raise SpreadsheetError("工作表中含有公式。请将公式单元格“选择性粘贴为数值”后再上传。")
            if b"mergeCell" in window:
                for match in _MERGE.finditer(window):
                    if int(match.group(2)) <= 1 <= int(match.group(4)):
                        raise SpreadsheetError("表头行不能有合并单元格，请使用下载的模板。")
            carry = window[-CARRY:]
    return rows


def _count_rows(data: bytes) -> int:
    if _PREFIXED_ROW.search(data):  # a namespace prefix, as no spreadsheet program writes: the slow, exact path
        return len(_ROW.findall(data))
    return data.count(b"<row")  # one pass; a <rowBreaks> element counts one row too many, harmlessly


def _check_dimension(window: bytes, limit: int) -> None:
    dimension = _DIMENSION.search(window)
    if dimension and (_column_number(dimension.group(1)) > MAX_COLUMNS or int(dimension.group(2)) > limit * 2):
        raise SpreadsheetError(f"工作表的数据区域过大（超过{limit - 1}行或{MAX_COLUMNS}列），请只保留模板中的列和需要导入的行。")


def _check_far_cells(matches, limit: int, max_rows: int) -> None:
    for match in matches:
        if match.group(1) is None:
            raise SpreadsheetError(f"工作表含有超出模板范围的单元格（超过{MAX_COLUMNS}列），请只保留模板中的列和需要导入的行。")
        if int(match.group(1)) > limit:
            raise SpreadsheetError(f"工作表超过{max_rows}行数据，请分批导入。")


def _check_other_parts(archive: zipfile.ZipFile, *, skip: str) -> None:
    """Decompress every other part once, counting: the directory's sizes may lie, the bytes cannot."""
    total = 0
    try:
        for info in archive.infolist():
            if info.filename == skip or info.is_dir():
                continue
            with archive.open(info) as stream:
                while chunk := stream.read(1024 * 1024):
                    total += len(chunk)
                    if total > MAX_UNCOMPRESSED_BYTES:
                        raise SpreadsheetError("Excel文件解压后过大（疑似压缩炸弹），已拒绝处理。请只保留需要导入的数据。")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise SpreadsheetError("Excel文件已损坏或经过篡改（压缩数据与文件目录不符），已拒绝处理。") from error


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
    convert = {"text": _text_cleaner, "int": _int_cleaner, "decimal": _decimal_cleaner, "date": _date_cleaner, "choice": _choice_cleaner}
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
    upload: IO[bytes] | bytes, fields: list[Field], *, max_rows: int = 200_000, allow_formulas: bool = False,
    on_checked: Callable[[int], object] | None = None,
) -> Iterator[ParsedRow]:
    """Check the whole file, then yield each non-empty data row cleaned per `fields`.

    Raises SpreadsheetError before yielding anything if the file as a whole is unusable. `on_checked(rows)` is
    called with an upper bound of the sheet's rows once every safety check has passed and just before the parser
    runs: the parser releases the GIL, so work a thread starts there overlaps the parse.
    """
    data = upload if isinstance(upload, bytes) else upload.read()
    archive = _open_zip(data)
    sheet_path = _first_sheet_path(archive)
    rows = _scan_sheet(archive, sheet_path, max_rows=max_rows, allow_formulas=allow_formulas)
    _check_other_parts(archive, skip=sheet_path)
    if on_checked:
        on_checked(rows)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        table = sheet.to_python(skip_empty_area=False)
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
            validation = DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"', allow_blank=not spec.required)
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    for row in example_rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_workbook(errors: list[CellError], *, title: str = "导入错误报告") -> bytes:
    """Errors as a workbook the user can download, sort and work through."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(["行号", "列", "问题"])
    for error in errors:
        sheet.append([error.row, error.column, _neutral(error.message)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _neutral(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
