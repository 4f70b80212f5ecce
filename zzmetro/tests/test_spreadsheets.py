"""The safe Excel reader refuses hostile files with a clear message before any parser sees them."""

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from zzmetro.spreadsheets import CellError, Field, SpreadsheetError, error_workbook, read_rows, template_workbook

FIELDS = [
    Field("出厂编号", "serial"),
    Field("检定日期", "day", kind="date"),
    Field("检定周期（月）", "cycle", kind="int", min_value=1),
    Field("用途", "use", kind="choice", choices={"贸易结算": "trade", "安全防护": "safety"}),
    Field("备注", "note", required=False, max_length=5),
]
HEADERS = [f.header for f in FIELDS]


def xlsx(rows, *, headers=HEADERS, edit=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, sheet_xml: bytes, *, compresslevel=9) -> bytes:
    """Replace the first sheet's XML inside an otherwise valid workbook."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target:
        for info in source.infolist():
            body = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, body)
    return out.getvalue()


def parsed(data):
    return [(r.row, r.values, [(e.column, e.message) for e in r.errors]) for r in read_rows(data, FIELDS)]


def test_clean_rows_come_back_typed():
    rows = parsed(xlsx([["A1", dt.date(2026, 3, 5), 12, "贸易结算", None]]))
    assert rows == [(2, {"serial": "A1", "day": dt.date(2026, 3, 5), "cycle": 12, "use": "trade", "note": None}, [])]


def test_dates_typed_as_text_are_read_in_the_common_chinese_forms_and_refused_otherwise():
    """Hostile/sloppy input: dates typed as text. 2026-03-05, 2026/3/5 and 2026年3月5日 are read; others refused."""
    rows = parsed(
        xlsx(
            [
                ["A", "2026-03-05", 12, "贸易结算"],
                ["B", "2026/3/5", 12, "贸易结算"],
                ["C", "2026年3月5日", 12, "贸易结算"],
                ["D", "3/5/2026", 12, "贸易结算"],
                ["E", "2026-02-30", 12, "贸易结算"],
            ]
        )
    )
    assert [r[1]["day"] for r in rows[:3]] == [dt.date(2026, 3, 5)] * 3
    assert rows[3][2] == [("检定日期", "“3/5/2026”不是有效日期，请填写如 2026-03-05 的日期")]
    assert rows[4][2] == [("检定日期", "“2026-02-30”不是有效日期，请填写如 2026-03-05 的日期")]


def test_each_cell_problem_names_row_and_column():
    rows = parsed(xlsx([[None, dt.date(2026, 1, 1), 1.5, "自用", "太长的备注内容"]]))
    assert rows[0][2] == [
        ("出厂编号", "必填"),
        ("检定周期（月）", "“1.5”不是整数"),
        ("用途", "“自用”不是可选值（贸易结算、安全防护）"),
        ("备注", "超过5个字符"),
    ]


def test_blank_rows_are_skipped_and_row_numbers_stay_excel_numbers():
    rows = parsed(
        xlsx([["A", dt.date(2026, 1, 1), 1, "贸易结算"], [None] * 5, ["B", dt.date(2026, 1, 1), 1, "安全防护"]])
    )
    assert [r[0] for r in rows] == [2, 4]


def test_text_file_renamed_xlsx_is_refused():
    with pytest.raises(SpreadsheetError, match="不是Excel工作簿（.xlsx）。请使用下载的模板"):
        read_rows(b"serial,day\nA1,2026-01-01\n", FIELDS)


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(SpreadsheetError, match="不是Excel工作簿"):
        read_rows(buffer.getvalue(), FIELDS)


def test_zip_bomb_tiny_file_huge_sheet_is_refused_before_decompressing():
    """Hostile: ~1 MB on disk, ~1 GB of sheet XML once inflated."""
    base = xlsx([["A", dt.date(2026, 1, 1), 1, "贸易结算"]])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b" " * (1024 * 1024)
            for _ in range(1024):
                sheet.write(block)
    data = out.getvalue()
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(SpreadsheetError, match="疑似压缩炸弹"):
        read_rows(data, FIELDS)


def test_zip_bomb_that_lies_about_its_size_is_refused_by_the_checksum():
    """Hostile: the directory claims a small sheet; the compressed data inflates far beyond it."""
    base = xlsx([["A", dt.date(2026, 1, 1), 1, "贸易结算"]])
    honest = rewrite_sheet(
        base, zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml") + b" " * (50 * 1024 * 1024)
    )
    forged = _forge_sizes(honest, "xl/worksheets/sheet1.xml", size=4096)
    with pytest.raises(SpreadsheetError, match="损坏或经过篡改"):
        read_rows(forged, FIELDS)


def _forge_sizes(data: bytes, name: str, *, size: int) -> bytes:
    """Overwrite the uncompressed size of `name` in its local header and central directory entry."""
    import struct

    blob = bytearray(data)
    encoded = name.encode()
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := blob.find(signature, start)) != -1:
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            length = struct.unpack_from("<H", blob, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            if bytes(blob[start + name_offset : start + name_offset + length]) == encoded:
                struct.pack_into("<I", blob, start + size_offset, size)
            start += 4
    return bytes(blob)


def test_sheet_of_1048576_rows_is_refused_while_streaming():
    """Hostile: Excel's maximum row count. Refused by counting rows in the XML, never loaded."""
    parts = [
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    parts.append(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x87\xba\xe5\x8e\x82\xe7\xbc\x96\xe5\x8f\xb7</t></is></c></row>'
    )
    parts.extend(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(2, 1_048_577))
    parts.append(b"</sheetData></worksheet>")
    data = rewrite_sheet(xlsx([]), b"".join(parts), compresslevel=1)
    with pytest.raises(SpreadsheetError, match="工作表超过200000行数据，请分批导入。"):
        read_rows(data, FIELDS)


def test_one_far_away_cell_is_refused_before_a_parser_allocates_the_grid():
    """Hostile: a single cell at XFD1048576 would make a parser build a 17-billion-cell grid."""
    base = xlsx([["A", dt.date(2026, 1, 1), 1, "贸易结算"]])
    xml = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    xml = xml.replace(b"</sheetData>", b'<row r="3"><c r="XFD3"><v>1</v></c></row></sheetData>')
    with pytest.raises(SpreadsheetError, match="超出模板范围的单元格"):
        read_rows(rewrite_sheet(base, xml), FIELDS)


def test_formulas_are_refused():
    data = xlsx([["A", dt.date(2026, 1, 1), "=1+1", "贸易结算"]])
    with pytest.raises(SpreadsheetError, match="含有公式"):
        read_rows(data, FIELDS)


def test_hyperlink_formula_is_refused():
    """Hostile: =HYPERLINK(...) entered as a formula."""
    data = xlsx([['=HYPERLINK("http://evil.example","点我")', dt.date(2026, 1, 1), 1, "贸易结算"]])
    with pytest.raises(SpreadsheetError, match="含有公式"):
        read_rows(data, FIELDS)


def test_hyperlink_typed_as_text_is_refused_per_cell():
    """Hostile: the same text stored as a plain string is refused as a suspected formula, with row and column."""

    def as_text(sheet):
        sheet["A2"].data_type = "s"

    data = xlsx([['=HYPERLINK("http://evil.example","点我")', dt.date(2026, 1, 1), 1, "贸易结算"]], edit=as_text)
    assert parsed(data)[0][2] == [("出厂编号", "内容以“=”开头，疑似公式，已拒绝（请删去开头的“=”）")]


def test_merged_header_cells_are_refused():
    data = xlsx([["A", dt.date(2026, 1, 1), 1, "贸易结算"]], edit=lambda sheet: sheet.merge_cells("A1:B1"))
    with pytest.raises(SpreadsheetError, match="表头行不能有合并单元格"):
        read_rows(data, FIELDS)


def test_headers_that_differ_from_the_template_are_refused_naming_the_missing_column():
    with pytest.raises(SpreadsheetError, match="缺少列：用途"):
        read_rows(xlsx([["A"]], headers=["出厂编号", "检定日期", "检定周期（月）", "用处", "备注"]), FIELDS)


def test_sheet_with_only_headers_is_refused():
    with pytest.raises(SpreadsheetError, match="只有表头"):
        read_rows(xlsx([]), FIELDS)


def test_template_has_the_headers_and_a_drop_down_for_choices():
    sheet = load_workbook(io.BytesIO(template_workbook(FIELDS, title="模板"))).active
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.data_validations.dataValidation[0].formula1 == '"贸易结算,安全防护"'
    assert parsed_template_is_refused_only_for_being_empty()


def parsed_template_is_refused_only_for_being_empty() -> bool:
    with pytest.raises(SpreadsheetError, match="只有表头"):
        read_rows(template_workbook(FIELDS, title="模板"), FIELDS)
    return True


def test_error_workbook_lists_row_column_and_reason_and_neutralises_formula_text():
    data = error_workbook([CellError(3, "用途", "“自用”不是可选值"), CellError(4, "出厂编号", "=HYPERLINK(1)")])
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [("行号", "列", "问题"), (3, "用途", "“自用”不是可选值"), (4, "出厂编号", "'=HYPERLINK(1)")]


MAIN_NS = b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_formula_written_with_a_namespace_prefix_is_refused_too():
    """Hostile: <x:f> is a formula to a parser that reads local names; the quick pre-check must not miss it."""
    base = xlsx([["A", dt.date(2026, 1, 1), 1, "贸易结算"]])
    xml = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    xml = xml.replace(b"<worksheet ", b"<worksheet " + MAIN_NS + b" ", 1)
    xml = xml.replace(b"</sheetData>", b'<row r="3"><c r="C3"><x:f>1+1</x:f><v>2</v></c></row></sheetData>')
    with pytest.raises(SpreadsheetError, match="含有公式"):
        read_rows(rewrite_sheet(base, xml), FIELDS)


def test_rows_written_with_a_namespace_prefix_are_counted_too():
    """Hostile: 200,001 rows as <x:row> without row numbers are refused while streaming, like plain <row>s."""
    parts = [b'<?xml version="1.0"?><x:worksheet ' + MAIN_NS + b"><x:sheetData>"]
    parts.extend([b"<x:row><x:c><x:v>1</x:v></x:c></x:row>"] * 200_002)
    parts.append(b"</x:sheetData></x:worksheet>")
    with pytest.raises(SpreadsheetError, match="工作表超过200000行数据"):
        read_rows(rewrite_sheet(xlsx([]), b"".join(parts), compresslevel=1), FIELDS)


def test_on_checked_gets_the_row_count_after_the_checks_and_before_the_rows():
    """The hook lets a caller start work (an import takes its ids) that overlaps the parse."""
    seen = []
    rows = read_rows(xlsx([["A", dt.date(2026, 1, 1), 1, "贸易结算"]] * 3), FIELDS, on_checked=seen.append)
    assert seen == [4] and len(list(rows)) == 3  # the header row counts


def test_on_checked_is_not_called_for_a_refused_file():
    seen = []
    with pytest.raises(SpreadsheetError, match="含有公式"):
        read_rows(xlsx([["A", dt.date(2026, 1, 1), "=1+1", "贸易结算"]]), FIELDS, on_checked=seen.append)
    assert seen == []
