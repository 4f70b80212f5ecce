"""One column definition per list, shared by pages and their Excel export (STYLE.md)."""
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import quote

from django.http import StreamingHttpResponse
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def write_xlsx(stream, columns: list[Column], rows: Iterable, *, title: str) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + index) if index < 26 else "A"].width = column.width
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append([safe_cell(c.value(row)) for c in columns])
    workbook.save(stream)


def xlsx_response(columns: list[Column], rows: Iterable, *, title: str, filename: str) -> StreamingHttpResponse:
    import tempfile

    handle = tempfile.TemporaryFile()
    write_xlsx(handle, columns, rows, title=title)
    handle.seek(0)

    def chunks():
        with handle:
            while block := handle.read(64 * 1024):
                yield block

    response = StreamingHttpResponse(
        chunks(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
