"""Streamed Excel exports: readable by Excel's readers, formula text neutralised, memory independent of size."""

import datetime as dt
import io

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from zzmetro.exports import Column, iter_xlsx, write_xlsx, xlsx_response

COLUMNS = [Column("名称", lambda r: r[0], 20), Column("日期", lambda r: r[1]), Column("数量", lambda r: r[2])]


def workbook(rows) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, COLUMNS, rows, title="测试导出")
    return buffer.getvalue()


def test_openpyxl_and_calamine_read_back_text_dates_and_numbers():
    data = workbook([("电能表 <A&B>", dt.date(2026, 3, 5), 12), ("  前后空格 ", None, 1.5)])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "测试导出"
    assert list(sheet.iter_rows(values_only=True)) == [
        ("名称", "日期", "数量"),
        ("电能表 <A&B>", dt.datetime(2026, 3, 5), 12),
        ("  前后空格 ", None, 1.5),
    ]
    table = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert table[1] == ["电能表 <A&B>", dt.date(2026, 3, 5), 12.0]


def test_cells_starting_with_formula_characters_are_neutralised():
    """Hostile values (= + - @) become inert text with a leading apostrophe."""
    values = ['=HYPERLINK("http://evil.example","点我")', "+1", "-1+2", "@SUM(A1)", "正常"]
    data = workbook([(v, None, None) for v in values])
    sheet = load_workbook(io.BytesIO(data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        '\'=HYPERLINK("http://evil.example","点我")',
        "'+1",
        "'-1+2",
        "'@SUM(A1)",
        "正常",
    ]
    assert b"<f>" not in _sheet_xml(data)


def test_control_characters_are_dropped_so_the_file_stays_valid_xml():
    data = workbook([("a\x00b\x1fc", None, None)])
    assert load_workbook(io.BytesIO(data)).active["A2"].value == "abc"


def test_export_is_streamed_in_chunks_while_rows_are_read():
    """Flat memory: chunks come out while the rows are still being produced."""
    produced = []

    def rows():
        for n in range(60_000):
            produced.append(n)
            yield (f"器具{n}", dt.date(2026, 1, 1), n)

    chunks = iter_xlsx(COLUMNS, rows(), title="大表")
    next(chunks)
    first_data_chunk = next(chunks)
    assert first_data_chunk and len(produced) < 60_000
    rest = b"".join(chunks)
    assert len(produced) == 60_000 and rest


def test_xlsx_response_is_a_streaming_attachment():
    response = xlsx_response(COLUMNS, [("a", None, 1)], title="t", filename="强检器具档案.xlsx")
    assert response.streaming
    assert (
        response["Content-Disposition"]
        == "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E5%BC%BA%E6%A3%80%E5%99%A8%E5%85%B7%E6%A1%A3%E6%A1%88.xlsx"
    )
    data = b"".join(response.streaming_content)
    assert load_workbook(io.BytesIO(data)).active["A2"].value == "a"


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
