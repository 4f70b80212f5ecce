"""Hostile workbooks cannot hurt the server (DOMAIN G4, issue 8 §2).

Each file is read by the real reader in a child process whose address space is capped at 1 GB (RLIMIT_AS), as a
worker would be; the child reports the reader's answer and its own peak RSS. A refused file must be refused with a
clear Chinese message and must never take the child past 200 MB.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zzmetro.tests import hostile_xlsx as x

ROOT = Path(__file__).resolve().parents[2]
PEAK_MB = 200
CHILD = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
sys.path.insert(0, sys.argv[1])
from zzmetro.spreadsheets import Field, SpreadsheetError, read_rows
headers, max_rows = json.loads(sys.argv[2])
fields = [Field(h, f"k{i}", required=False) for i, h in enumerate(headers)]
answer = {}
try:
    answer["rows"] = len(list(read_rows(sys.stdin.buffer.read(), fields, max_rows=max_rows)))
except SpreadsheetError as error:
    answer["refused"] = error.message
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking test process across exec.
status = open("/proc/self/status").read()
answer["peak_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps(answer, ensure_ascii=False))
"""


def read_in_child(data: bytes, *, max_rows: int = 100_000, headers=x.HEADERS) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), json.dumps([headers, max_rows])],
        input=data,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, f"the reader's process died: {done.stderr.decode(errors='replace')[-2000:]}"
    return json.loads(done.stdout)


def refused(data: bytes, **kwargs) -> str:
    answer = read_in_child(data, **kwargs)
    assert "refused" in answer, f"accepted {answer.get('rows')} rows"
    assert answer["peak_mb"] < PEAK_MB, f"peak {answer['peak_mb']:.0f} MB"
    return answer["refused"]


BASE = x.workbook([["SN1", "电能表", "DDZY71", "贸易结算", None]])
FAR_CELL = x.sheet(x.header_row() + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def test_a_clean_workbook_is_read_in_the_capped_child():
    answer = read_in_child(BASE)
    assert answer["rows"] == 1 and answer["peak_mb"] < PEAK_MB


# ---------------------------------------------------------------- the sheet the parser really reads


def test_decoy_first_sheet_with_a_far_cell_is_scanned_not_the_sheet1_beside_it():
    """G4: 2 KB whose workbook names worksheets/data.xml first, holding XFD1048576, once killed the worker."""
    data = x.with_first_sheet_at(BASE, b"worksheets/data.xml", FAR_CELL)
    assert len(data) < 10_000
    assert (
        refused(data)
        == "工作表“数据”第 1048576 行有 16384 列，模板只有 5 列（含有超出模板范围的单元格），请删除多出的列后重新上传。"
    )


def test_decoy_first_sheet_with_100500_rows_is_refused_for_its_rows():
    """G4: the row limit applies to the sheet the parser reads (once 100,500 rows imported past 100,000)."""
    data = x.with_first_sheet_at(BASE, b"worksheets/data.xml", x.sheet(x.header_row() + x.data_rows(100_500)))
    assert refused(data) == "工作表超过100000行数据，请分批导入。"


def test_decoy_first_sheet_with_a_formula_is_refused_naming_the_cell():
    """G4: formulas in the real first sheet are refused, naming row and column."""
    rows = (
        x.header_row()
        + b'<row r="2"><c r="A2"><v>1</v></c></row><row r="5"><c r="C5"><f>SUM(A1:A2)</f><v>1</v></c></row>'
    )
    data = x.with_first_sheet_at(BASE, b"worksheets/data.xml", x.sheet(rows))
    assert refused(data) == "工作表中含有公式（第 5 行 C 列）。请将公式单元格“选择性粘贴为数值”后再上传。"


@pytest.mark.parametrize("target", [b"/xl/worksheets/data.xml", b"worksheets/DATA.XML"])
def test_absolute_and_differently_cased_targets_resolve_to_the_same_part_as_the_parser(target):
    """G4: an absolute target, or one whose case differs from the member name, still points at the scanned part."""
    data = x.with_first_sheet_at(BASE, target, FAR_CELL)
    assert "模板只有 5 列" in refused(data)


def test_member_name_in_other_case_than_the_relationship_is_still_scanned():
    """G4: calamine finds members case-insensitively; so does the scan."""
    sheet = x.part(BASE, "xl/worksheets/sheet1.xml").replace(
        b"</sheetData>", b'<row r="9"><c r="XFD9"><v>1</v></c></row></sheetData>'
    )
    data = x.edited(
        BASE,
        replace={"xl/worksheets/sheet1.xml": sheet},
        rename={"xl/worksheets/sheet1.xml": "XL/Worksheets/Sheet1.XML"},
    )
    assert "第 9 行有 16384 列" in refused(data)


def test_dot_dot_target_that_the_parser_cannot_open_is_refused():
    """G4: calamine does not resolve "../"; a target it cannot open is refused before it tries."""
    data = x.with_first_sheet_at(BASE, b"../xl/worksheets/data.xml", FAR_CELL)
    assert "第一个工作表的数据文件不存在" in refused(data)


def test_two_members_with_the_same_name_are_refused():
    """G4: which of two same-named members a reader picks is not ours to guess."""
    parts = x.members(BASE) + [("xl/worksheets/sheet1.xml", FAR_CELL)]
    assert "重复出现" in refused(x.build(parts))


def test_two_members_whose_names_differ_only_in_case_are_refused():
    parts = x.members(BASE) + [("xl/worksheets/SHEET1.xml", FAR_CELL)]
    assert "重复出现" in refused(x.build(parts))


def test_escaped_relationship_target_is_refused():
    """G4: calamine reads relationship attributes raw, an XML parser decodes them: they would disagree."""
    rels = x.part(BASE, "xl/_rels/workbook.xml.rels").replace(b"sheet1.xml", b"sheet&#49;.xml")
    assert "含有转义字符" in refused(x.edited(BASE, replace={"xl/_rels/workbook.xml.rels": rels}))


def test_chart_as_first_sheet_is_refused():
    rels = x.part(BASE, "xl/_rels/workbook.xml.rels").replace(x.WORKSHEET, x.REL + b"/chartsheet")
    assert "不是普通工作表" in refused(x.edited(BASE, replace={"xl/_rels/workbook.xml.rels": rels}))


# ---------------------------------------------------------------- width and rows, with or without r=


def test_cells_without_references_are_counted_and_a_wide_first_row_is_refused():
    """G4: 16,384 cells without r= in row 1 and 3,000 short rows took a worker to 2 GB before refusing."""
    wide = b"<row>" + b"<c><v>1</v></c>" * 16_384 + b"</row>" + b"<row><c><v>1</v></c></row>" * 3000
    data = x.edited(BASE, replace={"xl/worksheets/sheet1.xml": x.sheet(wide)})
    assert len(data) < 10_000
    assert (
        refused(data)
        == "工作表“数据”第 1 行有 16384 列，模板只有 5 列（含有超出模板范围的单元格），请删除多出的列后重新上传。"
    )


def test_rows_without_references_are_counted_against_the_limit():
    """G4: 100,001 data rows without r= are refused like numbered ones (once the worker died)."""
    rows = x.header_row() + b"<row><c><v>1</v></c></row>" * 100_001
    assert (
        refused(x.edited(BASE, replace={"xl/worksheets/sheet1.xml": x.sheet(rows)}))
        == "工作表超过100000行数据，请分批导入。"
    )


def test_a_row_wider_than_the_template_is_refused_naming_row_and_width():
    """G4: a sheet wider than its template is refused before any parser builds a grid."""
    cells = b"".join(b'<c r="%c3"><v>1</v></c>' % (65 + i) for i in range(7))
    rows = x.header_row() + b'<row r="2"><c r="A2"><v>1</v></c></row><row r="3">' + cells + b"</row>"
    data = x.edited(BASE, replace={"xl/worksheets/sheet1.xml": x.sheet(rows)})
    assert (
        refused(data)
        == "工作表“数据”第 3 行有 7 列，模板只有 5 列（含有超出模板范围的单元格），请删除多出的列后重新上传。"
    )


def test_namespace_prefixed_cells_without_references_are_counted_too():
    rows = b"<x:row>" + b"<x:c><x:v>1</x:v></x:c>" * 20 + b"</x:row>"
    data = x.edited(BASE, replace={"xl/worksheets/sheet1.xml": x.sheet(rows, prefix=b"x")})
    assert "第 1 行有 20 列，模板只有 5 列" in refused(data)


def test_lowercase_and_overlong_references_are_read_as_the_parser_reads_them():
    """G4: calamine reads "xfd9" as XFD9; a 10-digit row would wrap around in its 32-bit arithmetic."""
    for cell in (b'<c r="xfd9"><v>1</v></c>', b'<c r="A4294967297"><v>1</v></c>', b'<c r="AAAAAAAA2"><v>1</v></c>'):
        sheet = x.sheet(x.header_row() + b'<row r="2">' + cell + b"</row>")
        assert refused(x.edited(BASE, replace={"xl/worksheets/sheet1.xml": sheet}))


def test_a_second_r_attribute_cannot_hide_a_far_cell():
    """G4: calamine keeps the last r= of a cell tag."""
    sheet = x.sheet(x.header_row() + b'<row r="2"><c r="A2" r="XFD2"><v>1</v></c></row>')
    assert refused(x.edited(BASE, replace={"xl/worksheets/sheet1.xml": sheet}))


def test_many_cells_at_one_place_are_refused_before_the_parser_lists_them():
    """G4: calamine keeps one entry per cell tag; 20,000 tags at A2 (references going backwards) are refused
    when 1,000 rows of 5 columns are allowed."""
    sheet = x.sheet(x.header_row() + b'<row r="2">' + b'<c r="A2"><v>1</v></c>' * 20_000 + b"</row>")
    assert "单元格数量超过模板允许的范围" in refused(
        x.edited(BASE, replace={"xl/worksheets/sheet1.xml": sheet}), max_rows=1000
    )


def test_an_empty_last_row_and_a_lying_dimension_do_not_refuse_good_data():
    """G4: <row r="1048576"/> without cells and a dimension claiming the whole sheet allocate nothing."""
    rows = x.header_row() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>SN1</t></is></c></row><row r="1048576"/>'
    sheet = x.sheet(rows, head=b'<dimension ref="A1:XFD1048576"/>')
    answer = read_in_child(x.edited(BASE, replace={"xl/worksheets/sheet1.xml": sheet}))
    assert answer["rows"] == 1 and answer["peak_mb"] < PEAK_MB


def test_styled_empty_cells_beyond_the_template_do_not_refuse_good_data():
    """G4: Excel writes <c r="P2" s="3"/> for formatted empty cells; the parser skips them."""
    rows = (
        x.header_row()
        + b'<row r="2"><c r="A2" t="inlineStr"><is><t>SN1</t></is></c><c r="P2" s="0"/><c r="XFD2" s="0"/></row>'
    )
    answer = read_in_child(x.edited(BASE, replace={"xl/worksheets/sheet1.xml": x.sheet(rows)}))
    assert answer["rows"] == 1 and answer["peak_mb"] < PEAK_MB


def test_huge_inline_string_is_refused():
    sheet = x.sheet(
        x.header_row() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"a" * 5_000_000 + b"</t></is></c></row>"
    )
    assert "超长的文字" in refused(x.edited(BASE, replace={"xl/worksheets/sheet1.xml": sheet}))


# ---------------------------------------------------------------- declarations, shared strings, styles


@pytest.mark.parametrize(
    "name",
    ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"],
)
def test_entity_declarations_are_refused_in_every_part_the_parser_reads(name):
    """G4: a DOCTYPE (billion laughs, external entities) in any parsed part is refused."""
    body = x.part(BASE, name)
    at = body.find(b"?>") + 2 if body.startswith(b"<?xml") else 0
    body = (
        body[:at] + b'<!DOCTYPE z [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + body[at:]
    )
    assert "DOCTYPE" in refused(x.edited(BASE, replace={name: body}))


def _with_shared_strings(sst: bytes) -> bytes:
    ct = x.part(BASE, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return x.edited(BASE, replace={"[Content_Types].xml": ct}, add=[("xl/sharedStrings.xml", sst)])


def test_shared_strings_with_a_declaration_are_refused():
    sst = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "a">]><sst xmlns="%s"><si><t>&a;</t></si></sst>' % x.MAIN
    assert "DOCTYPE" in refused(_with_shared_strings(sst))


def test_shared_strings_claiming_billions_of_entries_are_refused():
    """G4: calamine reserves uniqueCount entries up front; 4,000,000,000 would abort the process."""
    sst = b'<?xml version="1.0"?><sst xmlns="%s" count="1" uniqueCount="4000000000"><si><t>a</t></si></sst>' % x.MAIN
    assert "共享文字表" in refused(_with_shared_strings(sst))


def test_shared_strings_with_millions_of_entries_are_refused():
    sst = b'<?xml version="1.0"?><sst xmlns="%s">' % x.MAIN + b"<si><t/></si>" * 10_000 + b"</sst>"
    assert "共享文字表的条目超过" in refused(_with_shared_strings(sst), max_rows=1000)


def test_one_huge_shared_string_is_refused():
    sst = b'<?xml version="1.0"?><sst xmlns="%s"><si><t>' % x.MAIN + b"a" * 5_000_000 + b"</t></si></sst>"
    assert "超长的文字" in refused(_with_shared_strings(sst))


def test_a_styles_bomb_is_refused():
    styles = x.part(BASE, "xl/styles.xml").replace(b"</cellXfs>", b"<xf/>" * 3_000_000 + b"</cellXfs>")
    assert "styles.xml”过大" in refused(x.edited(BASE, replace={"xl/styles.xml": styles}))


# ---------------------------------------------------------------- the container


def test_thousands_of_zip_members_are_refused_before_the_directory_is_read():
    data = x.edited(BASE, add=[(f"docProps/extra{n}.xml", b"") for n in range(5000)])
    assert "超过1000个" in refused(data)


def test_an_encrypted_zip_is_refused():
    assert "已加密" in refused(x.flag_encrypted(BASE))


def test_data_prepended_to_the_zip_is_refused():
    assert refused(b"PK\x03\x04" + b"\0" * 100 + BASE)


def test_old_xls_or_password_protected_files_are_refused_with_a_hint():
    assert "旧版Excel（.xls）" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)


def test_ods_disguised_as_xlsx_is_refused():
    data = x.build(
        [("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"<x/>")] + x.members(BASE)
    )
    assert ".ods" in refused(data)


def test_csv_disguised_as_xlsx_is_refused():
    assert "不是Excel工作簿" in refused("出厂编号,器具名称\nSN1,电能表\n".encode())


def test_compression_bomb_in_an_unparsed_member_is_refused():
    """G4: the ratio and total are checked for every member, not only the sheet."""
    data = x.edited(BASE, add=[("xl/media/image1.png", b"\0" * 300_000_000)])
    assert "疑似压缩炸弹" in refused(data)
