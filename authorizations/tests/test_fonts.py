"""manage.py prepare_fonts: the fonts of the Chinese PDFs are built in seconds, with progress shown (DOMAIN D1)."""

import io
import time

import pytest
from django.core.management import call_command
from django.test import override_settings
from fontTools.ttLib import TTFont

from zzmetro.pdf import FONT_FACES

# Recipe 1 (cubic-to-quadratic conversion) took 160 s of CPU; the HarfBuzz cut takes a few.
CPU_SECONDS_ALLOWED = 30


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build into an empty folder: (folder, what the command printed, CPU seconds it took)."""
    font_dir = tmp_path_factory.mktemp("fonts")
    (font_dir / "zz-serif-regular.ttf").write_bytes(b"left by recipe 1")
    output = io.StringIO()
    started = time.process_time()
    with override_settings(PDF_FONT_DIR=font_dir):
        call_command("prepare_fonts", stdout=output)
    return font_dir, output.getvalue(), time.process_time() - started


def test_fonts_are_built_in_seconds_not_minutes(built):
    """D1: preparing the PDF fonts is a short step of `make demo`, not minutes of silence."""
    _, _, cpu_seconds = built
    assert cpu_seconds < CPU_SECONDS_ALLOWED


def test_progress_is_shown_for_every_font_file_in_chinese(built):
    """D1: whoever runs `make demo` sees each of the four files being made."""
    _, printed, _ = built
    for number, face in enumerate(FONT_FACES, start=1):
        assert f"[{number}/{len(FONT_FACES)}] {face.filename}：" in printed
    assert "PDF 字体已生成" in printed


def test_korean_syllables_no_document_needs_are_left_out(built):
    """D1: the files hold Chinese, not the 11 000 Hangul glyphs of the source."""
    font_dir, _, _ = built
    for face in FONT_FACES:
        assert ord("한") not in TTFont(font_dir / face.filename, lazy=True).getBestCmap()


def test_built_fonts_carry_their_own_names_and_the_source_licence(built):
    """D1: the derived files do not pose as Noto Serif CJK; the SIL OFL record travels with them."""
    font_dir, _, _ = built
    for face in FONT_FACES:
        names = TTFont(font_dir / face.filename)["name"]
        assert names.getDebugName(1) == face.family
        assert "SIL Open Font License" in (names.getDebugName(13) or "")


def test_a_second_run_finds_the_fonts_ready_and_files_of_the_old_recipe_are_gone(built, settings):
    """D1: the step is idempotent, and a font file no recipe makes any more is not left behind."""
    font_dir, _, _ = built
    settings.PDF_FONT_DIR = font_dir
    output = io.StringIO()
    call_command("prepare_fonts", stdout=output)
    assert "PDF 字体已就绪" in output.getvalue()
    assert sorted(path.name for path in font_dir.glob("zz-serif*")) == sorted(face.filename for face in FONT_FACES)
