"""The special inspection's documents: Attachment 1 and 2 of 质检量函〔2016〕27号 and the summary report (L4, L6)."""

import io

import openpyxl
import pypdfium2 as pdfium

from inspections.documents_licences import (
    AdministratorRow,
    SurveyRow,
    administrators_workbook,
    survey_workbook,
)

# The attachments as the notice publishes them (seeds/001, 附件1 and 附件2), one line per printed line; a tab
# separates cells, an empty cell is the other half of a merged header.
SEED_SURVEY_TITLE = "重点管理的计量器具型式批准和制造许可情况调查表"
SEED_SURVEY_HEADER = (
    "省份\t许可工作情况\t\t\t\t行政审批制度改革情况\t\t\t\t备注",
    "\t是否超范围许可\t型式评价机构是否为总局统一授权的机构\t制造许可核准、变更、注销公告的方式\t制造许可获证名单是否报总局备案"
    "\t是否开展网上审批\t型式批准证书发证部门和层级\t制造许可证发证部门和层级\t行政审批制度改革情况\t",
)
SEED_SURVEY_NOTES = (
    "备注: 1、型式评价机构如非总局统一授权的机构, 请在备注中说明原因",
    "2、型式批准、制造许可证发证部门请填写到处(科), 发证层级填写省级、市级或县级",
    "3、行政审批制度改革情况一栏简要填写当地行政审批改革措施, 如现场许可或并联审批等",
)
SEED_ADMIN_TITLE = "计量器具许可证管理系统省局系统管理员信息表"
SEED_ADMIN_HEADER = "姓名\t单位\t职务\t办公电话\t手机\tE-mail"
SEED_ADMIN_NOTE = "备注：若系统管理员发生变动，请再次填写此表，并及时上报总局计量司。"


def open_sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def cells(sheet, row: int) -> list[str]:
    return [cell.value or "" for cell in sheet[row]]


def merged(sheet) -> set[str]:
    return {str(cell_range) for cell_range in sheet.merged_cells.ranges}


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_attachment_1_has_the_notices_two_level_header_cell_by_cell():
    """L4: 附件1's columns, its two header rows and their merged ranges are the notice's, cell by cell."""
    sheet = open_sheet(survey_workbook([SurveyRow("河南省")], unit="郑州市质量技术监督局"))

    assert sheet["A2"].value == SEED_SURVEY_TITLE
    assert sheet["A3"].value == "报送单位: 郑州市质量技术监督局 (公章)"
    assert cells(sheet, 4) == SEED_SURVEY_HEADER[0].split("\t")
    assert cells(sheet, 5) == SEED_SURVEY_HEADER[1].split("\t")
    assert sheet.max_column == 10
    # 省份 and 备注 span both header rows; each group spans its four questions.
    assert {"A4:A5", "B4:E4", "F4:I4", "J4:J5"} <= merged(sheet)


def test_attachment_1_notes_follow_the_table_across_its_width():
    """L4: the three notes stand below the data rows, each across all ten columns, in the notice's words."""
    sheet = open_sheet(survey_workbook([SurveyRow("河南省"), SurveyRow("郑州市")]))

    assert [sheet.cell(row=8 + i, column=1).value for i in range(3)] == list(SEED_SURVEY_NOTES)
    assert {"A8:J8", "A9:J9", "A10:J10"} <= merged(sheet)
    assert sheet["A3"].value == "报送单位: (公章)"


def test_attachment_1_writes_yes_no_answers_and_leaves_unanswered_ones_blank():
    """L4: answered yes/no columns read 是 or 否; a question nobody answered stays empty for the bureau to fill."""
    row = SurveyRow(
        "河南省",
        over_scope=True,
        institutions_authorized=False,
        announcement="网站公告",
        filed_nationally=True,
        online_approval=None,
        remarks="=1+1",
    )
    sheet = open_sheet(survey_workbook([row]))

    assert cells(sheet, 6) == ["河南省", "是", "否", "网站公告", "是", "", "", "", "", "'=1+1"]


def test_attachment_2_has_the_notices_columns_and_note():
    """L4: 附件2 has the notice's six columns, one row per administrator and the note below."""
    sheet = open_sheet(
        administrators_workbook([AdministratorRow("张敏", "郑州市质量技术监督局", "科员", "0371-1", "139", "a@b.cn")])
    )

    assert sheet["A2"].value == SEED_ADMIN_TITLE
    assert cells(sheet, 3) == SEED_ADMIN_HEADER.split("\t")
    assert cells(sheet, 4) == ["张敏", "郑州市质量技术监督局", "科员", "0371-1", "139", "a@b.cn"]
    assert sheet["A5"].value == SEED_ADMIN_NOTE
    assert {"A2:F2", "A5:F5"} <= merged(sheet)


def test_attachment_2_without_administrators_leaves_rows_to_fill_by_hand():
    """L4: with nobody recorded the table still prints, with empty bordered rows above the note."""
    sheet = open_sheet(administrators_workbook([]))

    assert all(not any(cells(sheet, row)) for row in (4, 5, 6))
    assert sheet["A7"].value == SEED_ADMIN_NOTE
