"""The lifecycle documents as Chinese A4 PDFs (DOMAIN D1, D2), read back the way a person or a phone reads them:
text through pypdfium2's extractor, glyphs through the embedded font's outlines, the QR code through zxing."""

import ctypes
import datetime as dt
import io
from contextlib import closing
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from fontTools.ttLib import TTFont

from authorizations import documents
from authorizations.management.commands.prepare_fonts import gb2312_hanzi
from authorizations.models import Application, CertificateItem
from authorizations.tests.factories import (
    ApplicationFactory,
    CertificateFactory,
    StationFactory,
    VerificationItemFactory,
)
from zzmetro import pdf as zzpdf

pytestmark = pytest.mark.django_db

RARE_NAME = "郑州堃䶮计量检测有限公司"  # 堃 U+5803 is outside GB 2312; 䶮 U+4DAE is CJK Extension A
A4_POINTS = (595.28, 841.89)
# A drawn 堃 or 䶮 has well over a hundred outline segments; the .notdef box printed instead (tofu) has about 20.
MIN_SEGMENTS_OF_A_COMPLEX_IDEOGRAPH = 60


@pytest.fixture(scope="session", autouse=True)
def prepared_fonts():
    """Build the PDF fonts once per machine (a few seconds), as `make setup` does; later runs find them ready."""
    call_command("prepare_fonts", stdout=io.StringIO())


# --- reading a PDF back ---------------------------------------------------------------------------------------


def squeeze(text: str) -> str:
    """Drop whitespace: the extractor breaks lines and spaces table cells wherever the layout did."""
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    with closing(pdfium.PdfDocument(data)) as document:
        return squeeze("".join(page.get_textpage().get_text_range() for page in document))


def assert_says(data: bytes, *phrases: str) -> None:
    text = pdf_text(data)
    missing = [phrase for phrase in phrases if squeeze(phrase) not in text]
    assert not missing, f"missing {missing} in: {text}"


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    with closing(pdfium.PdfDocument(data)) as document:
        return [tuple(round(side, 2) for side in page.get_size()) for page in document]


def drawn_glyph(data: bytes, char: str) -> tuple[str, int]:
    """(embedded font, outline segments) of the first `char` printed: what the reader's eye actually gets."""
    with closing(pdfium.PdfDocument(data)) as document:
        textpage = document[0].get_textpage()
        for index in range(textpage.count_chars()):
            if pdfium_raw.FPDFText_GetUnicode(textpage.raw, index) == ord(char):
                return _glyph_of(pdfium_raw.FPDFText_GetTextObject(textpage.raw, index), char)
    raise AssertionError(f"{char!r} is not in the text")


def _glyph_of(text_object, char: str) -> tuple[str, int]:
    font = pdfium_raw.FPDFTextObj_GetFont(text_object)
    name = ctypes.create_string_buffer(128)
    pdfium_raw.FPDFFont_GetBaseFontName(font, name, len(name))
    path = pdfium_raw.FPDFFont_GetGlyphPath(font, ord(char), ctypes.c_float(12))
    segments = pdfium_raw.FPDFGlyphPath_CountGlyphSegments(path) if path else 0
    return name.value.decode(), segments


def embedded_fonts(data: bytes) -> set[str]:
    """Font families of every text object, without WeasyPrint's subset tag (ABCDEF+)."""
    families = set()
    with closing(pdfium.PdfDocument(data)) as document:
        for page in document:
            for text_object in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT]):
                font = pdfium_raw.FPDFTextObj_GetFont(text_object.raw)
                name = ctypes.create_string_buffer(128)
                pdfium_raw.FPDFFont_GetBaseFontName(font, name, len(name))
                families.add(name.value.decode().split("+")[-1])
    return families


def qr_codes(data: bytes) -> list[str]:
    with closing(pdfium.PdfDocument(data)) as document:
        image = document[0].render(scale=2).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


# --- test data ------------------------------------------------------------------------------------------------


def energy_items():
    return [
        VerificationItemFactory(code="DN01", name="电能表", regulation="JJG 596-2012《电子式交流电能表》"),
        VerificationItemFactory(code="DN02", name="测量用电流互感器", regulation="JJG 313-2010《测量用电流互感器》"),
    ]


def accepted_application(**fields) -> Application:
    station = StationFactory(name="新密市供电公司计量中心")
    return ApplicationFactory(accepted=True, station=station, items=energy_items(), area="新密市", **fields)


def refused_application() -> Application:
    return ApplicationFactory(
        status=Application.Status.REFUSED,
        station=StationFactory(name="郑州市某某计量站"),
        refusal_number="郑质监量不受〔2026〕3号",
        refused_on=dt.date(2026, 1, 12),
        refusal_reason="申请的检定项目不属于本单位内部使用的强制检定计量器具。",
    )


def revoked_certificate():
    return CertificateFactory(
        revoked=True,
        number="ZZJL-2025-0007",
        seal_number="郑计授章-0007",
        revocation_number="郑质监量撤〔2026〕1号",
        station=StationFactory(name="荥阳市电业局电能计量中心"),
    )


# --- acceptance notice and refusal decision (A2, A3) ----------------------------------------------------------


def test_acceptance_notice_lists_items_and_area_and_asks_for_the_four_conditions():
    """A2, A3: the notice names the accepted items and area and the four conditions of S1 二(五)."""
    application = accepted_application()

    notice = documents.acceptance_notice_pdf(application)

    assert_says(
        notice,
        "受理申请通知书",
        "郑质监量受〔2026〕1号",
        "新密市供电公司计量中心：",
        application.number,
        "电能表",
        "JJG 596-2012《电子式交流电能表》",
        "测量用电流互感器",
        "JJG 313-2010《测量用电流互感器》",
        "检定区域：新密市",
        "计量标准、检测装置和配套设施",
        "工作环境",
        "经考核合格",
        "工作制度和管理制度",
        "提出计量授权考核申请",
        "郑州市质量技术监督局2026年1月10日",
    )


def test_acceptance_notice_does_not_exist_before_the_application_is_accepted():
    """A2: no acceptance, no notice; the views answer 404 on this ValueError."""
    with pytest.raises(ValueError, match="尚未受理"):
        documents.acceptance_notice_pdf(ApplicationFactory())


def test_refusal_decision_gives_the_reason_and_returns_the_application():
    """A2: a refusal states its reason and sends the application back."""
    decision = documents.refusal_decision_pdf(refused_application())

    assert_says(
        decision,
        "不予受理决定书",
        "郑质监量不受〔2026〕3号",
        "郑州市某某计量站：",
        "申请的检定项目不属于本单位内部使用的强制检定计量器具。",
        "决定不予受理",
        "退回你单位",
        "2026年1月12日",
    )


def test_refusal_decision_does_not_exist_for_an_application_that_was_not_refused():
    """A2: only a refused application has a refusal decision."""
    with pytest.raises(ValueError):
        documents.refusal_decision_pdf(accepted_application())


# --- certificate (A5, A6, A8, D2) -----------------------------------------------------------------------------


def test_certificate_shows_number_station_items_area_seal_and_validity():
    """A5: number, station, credit code, items with their regulations, area, seal number, validity, issue date."""
    station = StationFactory(name="中牟县供电公司电能计量检测中心")
    certificate = CertificateFactory(
        number="ZZJL-2026-0003",
        station=station,
        items=energy_items(),
        area="中牟县",
        issued_on=dt.date(2026, 1, 5),
        seal_number="郑计授章-0003",
    )

    assert_says(
        documents.certificate_pdf(certificate),
        "计量授权证书",
        "证书编号：ZZJL-2026-0003",
        "中牟县供电公司电能计量检测中心",
        f"统一社会信用代码：{station.credit_code}",
        "检定区域：中牟县",
        "计量授权检定专用章编号：郑计授章-0003",
        "有效期：2026年1月5日至2029年1月4日",
        "电能表",
        "JJG 596-2012《电子式交流电能表》",
        "测量用电流互感器",
        "JJG 313-2010《测量用电流互感器》",
        "发证机关：郑州市质量技术监督局",
        "发证日期：2026年1月5日",
    )


def test_certificate_issued_on_29_february_is_valid_through_28_february_three_years_later():
    """A6: expires_on = issue + 3 years − 1 day, the 29 February anniversary counting as 1 March."""
    certificate = CertificateFactory(issued_on=dt.date(2024, 2, 29))

    assert_says(documents.certificate_pdf(certificate), "有效期：2024年2月29日至2027年2月28日")


def test_certificate_marks_items_added_during_validity_with_their_date():
    """A8: new items join the current certificate and show the day they were added."""
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
    water = VerificationItemFactory(code="SB01", name="水表", regulation="JJG 162-2019《饮用冷水水表》")
    CertificateItem.objects.create(
        certificate=certificate, item=water, added_on=dt.date(2025, 6, 1), application=certificate.application
    )

    certificate_text = pdf_text(documents.certificate_pdf(certificate))

    assert squeeze("水表JJG 162-2019《饮用冷水水表》2025年6月1日新增") in certificate_text
    assert certificate_text.count("新增") == 1


def test_certificate_qr_code_opens_its_public_register_page(settings):
    """D2: the QR code carries the absolute register URL, also printed under it for those without a phone."""
    settings.SITE_URL = "https://jl.zzmetro.example.cn"
    certificate = CertificateFactory(number="ZZJL-2026-0042")
    register_url = "https://jl.zzmetro.example.cn/register/certificates/ZZJL-2026-0042/"

    certificate_pdf = documents.certificate_pdf(certificate)

    assert qr_codes(certificate_pdf) == [register_url]
    assert_says(certificate_pdf, register_url)


def test_register_url_is_the_absolute_address_of_the_public_certificate_page(settings, client):
    """D2: the URL views reuse is the register page of this very certificate."""
    certificate = CertificateFactory(number="ZZJL-2026-0043")

    url = documents.certificate_register_url(certificate)

    assert url == f"{settings.SITE_URL}/register/certificates/ZZJL-2026-0043/"
    assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200


# --- correct CJK glyphs (D1) ----------------------------------------------------------------------------------


def test_station_name_outside_gb2312_prints_real_glyphs_from_the_rare_font():
    """D1: 堃 (beyond GB 2312) and 䶮 (Ext A) are drawn from the prepared rare font and extract as themselves."""
    certificate = CertificateFactory(station=StationFactory(name=RARE_NAME))

    certificate_pdf = documents.certificate_pdf(certificate)

    assert_says(certificate_pdf, RARE_NAME)
    for char in "堃䶮":
        font, segments = drawn_glyph(certificate_pdf, char)
        assert font.split("+")[-1].startswith("ZZ-Serif-Rare"), font
        assert segments >= MIN_SEGMENTS_OF_A_COMPLEX_IDEOGRAPH, f"{char} drawn as tofu ({segments} segments)"


def test_glyph_check_catches_a_character_no_font_can_draw():
    """D1: the tofu check above can fail — a private-use character (no standard font draws U+E000) extracts
    fine, yet what is printed is the .notdef box."""
    certificate = CertificateFactory(station=StationFactory(name="郑州\ue000计量站"))

    certificate_pdf = documents.certificate_pdf(certificate)

    assert_says(certificate_pdf, "郑州\ue000计量站")
    _, segments = drawn_glyph(certificate_pdf, "\ue000")
    assert segments < MIN_SEGMENTS_OF_A_COMPLEX_IDEOGRAPH


def test_documents_embed_only_the_prepared_fonts():
    """D1: with the prepared fonts in place, no system font (slow to subset) ends up in a document."""
    certificate = CertificateFactory(station=StationFactory(name=RARE_NAME))

    families = embedded_fonts(documents.certificate_pdf(certificate))

    assert families and all(family.startswith("ZZ-Serif") for family in families), families


def test_documents_fall_back_to_the_system_font_when_fonts_are_not_prepared(settings, tmp_path):
    """D1: a skipped prepare_fonts makes documents slower, never wrong: Noto Serif CJK SC draws 堃 and 䶮."""
    settings.PDF_FONT_DIR = tmp_path
    certificate = CertificateFactory(station=StationFactory(name=RARE_NAME))

    certificate_pdf = documents.certificate_pdf(certificate)

    assert_says(certificate_pdf, RARE_NAME)
    font, segments = drawn_glyph(certificate_pdf, "䶮")
    assert "Noto-Serif-CJK-SC" in font and segments >= MIN_SEGMENTS_OF_A_COMPLEX_IDEOGRAPH, (font, segments)


def test_render_pdf_refuses_to_print_boxes_when_no_chinese_font_is_installed(settings, tmp_path, monkeypatch):
    """D1: without prepared fonts and without fonts-noto-cjk, a clear error instead of tofu."""
    settings.PDF_FONT_DIR = tmp_path
    monkeypatch.setattr(zzpdf, "FONT_SEARCH_DIRS", (str(tmp_path),))

    with pytest.raises(ImproperlyConfigured, match="fonts-noto-cjk"):
        documents.certificate_pdf(CertificateFactory())


# --- revocation decision (A11) --------------------------------------------------------------------------------


def test_revocation_decision_gives_the_return_due_date_and_the_day_reapplying_opens():
    """A11: seal and certificate back within 30 days (due 31 March), no new application for 3 years."""
    certificate = revoked_certificate()  # revoked on 2026-03-01

    assert_says(
        documents.revocation_decision_pdf(certificate),
        "撤销计量授权决定书",
        "郑质监量撤〔2026〕1号",
        "荥阳市电业局电能计量中心",
        "证书编号：ZZJL-2025-0007",
        "监督检查不合格且整改后仍达不到要求",
        "决定自2026年3月1日起撤销你单位的计量授权",
        "请于2026年3月31日前（自撤销之日起30日内",
        "计量授权检定专用章（编号：郑计授章-0007）",
        "自撤销之日起3年内",
        "2029年3月1日起方可重新申请",
    )


def test_revocation_decision_does_not_exist_for_a_certificate_in_force():
    """A11: only a revoked certificate has a revocation decision."""
    with pytest.raises(ValueError, match="未被撤销"):
        documents.revocation_decision_pdf(CertificateFactory())


@pytest.mark.parametrize(
    "render",
    [
        lambda: documents.acceptance_notice_pdf(accepted_application()),
        lambda: documents.refusal_decision_pdf(refused_application()),
        lambda: documents.certificate_pdf(CertificateFactory()),
        lambda: documents.revocation_decision_pdf(revoked_certificate()),
    ],
    ids=["acceptance notice", "refusal decision", "certificate", "revocation decision"],
)
def test_every_document_is_printed_on_a4_by_the_issuing_authority(render):
    """D1: A4 pages, issued by 郑州市质量技术监督局."""
    document = render()

    assert set(page_sizes(document)) == {A4_POINTS}
    assert_says(document, "郑州市质量技术监督局")


# --- prepare_fonts --------------------------------------------------------------------------------------------


def test_prepare_fonts_puts_gb2312_in_the_common_font_and_other_ideographs_in_the_rare_font(settings):
    """D1: the everyday font stays small; rare ideographs such as 堃 and 䶮 live in the fallback font."""
    font_dir = Path(settings.PDF_FONT_DIR)
    common = TTFont(font_dir / "zz-serif-regular.otf", lazy=True).getBestCmap()
    rare = TTFont(font_dir / "zz-serif-rare-regular.otf", lazy=True).getBestCmap()

    assert gb2312_hanzi() <= common.keys()
    assert {ord("堃"), ord("䶮")} <= rare.keys()
    assert not common.keys() & rare.keys()


def test_prepare_fonts_run_again_finds_the_fonts_ready_and_leaves_them_untouched(settings):
    """Idempotent: a second run (every `make test`) changes nothing."""
    fonts = sorted(Path(settings.PDF_FONT_DIR).glob("zz-serif*"))
    assert fonts
    before = [font.stat().st_mtime_ns for font in fonts]
    output = io.StringIO()

    call_command("prepare_fonts", stdout=output)

    assert "已就绪" in output.getvalue()
    assert [font.stat().st_mtime_ns for font in fonts] == before


def test_prepare_fonts_without_noto_cjk_fails_naming_the_debian_package(settings, tmp_path, monkeypatch):
    """A fresh machine without the font package gets told what to install."""
    settings.PDF_FONT_DIR = tmp_path / "fonts"
    monkeypatch.setattr(zzpdf, "FONT_SEARCH_DIRS", (str(tmp_path),))

    with pytest.raises(CommandError, match="apt-get install fonts-noto-cjk"):
        call_command("prepare_fonts", stdout=io.StringIO())
