"""One column definition per list, shared by pages and their Excel export (STYLE.md).

Exports are streamed: the workbook is written as a zip whose sheet is produced row by row and handed to the
HTTP response in chunks, so memory stays flat however many rows there are. The sheet XML is written here
directly (inline strings, one date style) because openpyxl builds a Python object per cell and is several
times slower on a million rows. Every text cell that a spreadsheet would read as a formula (= + - @, tab,
carriage return) is neutralised with a leading apostrophe.
"""

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Callable, Iterable, Iterator
from xml.sax.saxutils import escape

from django.http import StreamingHttpResponse

from zzmetro.responses import streaming_attachment

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_BYTES = 256 * 1024
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 16


def safe_cell(value):
    """Neutralise text a spreadsheet would run as a formula (CSV/Excel injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# ---------------------------------------------------------------- the sheet XML, cell by cell

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text_cell(ref: str, text: str) -> str:
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    if _SPECIAL.search(text):
        text = escape(_ILLEGAL.sub("", text))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _cell(ref: str, value) -> str:
    kind = type(value)
    if kind is str:
        return _text_cell(ref, value) if value else ""
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is dt.date:
        return f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if kind is dt.datetime or isinstance(value, dt.datetime):
        return _datetime_cell(ref, value)
    if kind in (int, float, Decimal) or isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.date):
        return _cell(ref, dt.date(value.year, value.month, value.day))
    return _text_cell(ref, str(value))


def _datetime_cell(ref: str, value: dt.datetime) -> str:
    if value.tzinfo is not None:
        from zzmetro.dates import BEIJING  # Beijing wall-clock time in every export (DOMAIN T1)

        value = value.astimezone(BEIJING).replace(tzinfo=None)
    delta = value - dt.datetime(1899, 12, 30)
    return f'<c r="{ref}" s="2"><v>{delta.days + delta.seconds / 86400:.8f}</v></c>'


def _header_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr" s="3"><is><t>{escape(text)}</t></is></c>'


def sheet_chunks(headers: list[str], widths: list[int], rows: Iterable[Iterable]) -> Iterator[str]:
    """The worksheet XML in pieces of roughly CHUNK_BYTES characters; rows are sequences of cell values."""
    letters = [column_letter(i) for i in range(len(headers))]
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    head = "".join(_header_cell(f"{letter}1", h) for letter, h in zip(letters, headers))
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        f'</sheetView></sheetViews><cols>{cols}</cols><sheetData><row r="1">{head}</row>'
    ]
    size = 0
    for number, row in enumerate(rows, start=2):
        n = str(number)
        line = f'<row r="{n}">' + "".join([_cell(letter + n, value) for letter, value in zip(letters, row)]) + "</row>"
        parts.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("</sheetData></worksheet>")
    yield "".join(parts)


# ---------------------------------------------------------------- the package around the sheet

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Styles: 0 default, 1 date, 2 date-time, 3 bold header.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _workbook_xml(title: str) -> str:
    name = escape(re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet1", {'"': "&quot;"})
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


class _Pipe:
    """A write-only, non-seekable file: zipfile writes into it, the generator drains it."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def iter_xlsx_rows(headers: list[str], widths: list[int], rows: Iterable[Iterable], *, title: str) -> Iterator[bytes]:
    """Yield the bytes of a one-sheet .xlsx as it is written; `rows` yields sequences of cell values."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _workbook_xml(title)),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            package.writestr(name, text)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for chunk in sheet_chunks(headers, widths, rows):
                sheet.write(chunk.encode())
                yield pipe.drain()
    yield pipe.drain()


def iter_xlsx(columns: list[Column], rows: Iterable, *, title: str) -> Iterator[bytes]:
    """Yield the bytes of a workbook with one row per object, values taken by `columns`."""
    values = ([c.value(obj) for c in columns] for obj in rows)
    return iter_xlsx_rows([c.header for c in columns], [c.width for c in columns], values, title=title)


def write_xlsx(stream: IO[bytes], columns: list[Column], rows: Iterable, *, title: str) -> None:
    for chunk in iter_xlsx(columns, rows, title=title):
        stream.write(chunk)


def streaming_xlsx_response(chunks: Iterable[bytes], *, filename: str) -> StreamingHttpResponse:
    return streaming_attachment(chunks, filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_response(columns: list[Column], rows: Iterable, *, title: str, filename: str) -> StreamingHttpResponse:
    """Stream the export to the browser while it is written: nothing but the current chunk is held."""
    return streaming_xlsx_response(iter_xlsx(columns, rows, title=title), filename=filename)
