"""Build the fonts embedded in Chinese PDFs (DOMAIN D1) into settings.PDF_FONT_DIR; see zzmetro/pdf.py.

The source is Noto Serif CJK SC from the Debian package fonts-noto-cjk: 65 000 glyphs in a 20–30 MB collection.
Each output keeps only its share of the characters (zzmetro.pdf.FONT_FACES), cut out with HarfBuzz's subsetter
(uharfbuzz), which takes about a second a file; the outlines stay CFF as in the source. Layout and vertical tables
are left out: the documents are set horizontally and need no OpenType features. fontTools then gives each file its
own names (the source's copyright and SIL OFL licence records travel along).

Until recipe 2 the outlines were converted to quadratic TrueType with fontTools' cu2qu, which took two to five
minutes of a fresh `make demo`; with HarfBuzz subsetting in WeasyPrint (libharfbuzz-subset0) CFF renders as fast.

Idempotent: a manifest records the recipe and the source files it was built from; when it matches, the command
returns at once. Files of an older recipe are removed.
"""

import fcntl
import io
import json
import os
import time
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import uharfbuzz as hb
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from fontTools.fontBuilder import FontBuilder
from fontTools.ttLib import TTFont

from zzmetro.pdf import FONT_FACES, SOURCE_FAMILY, SOURCE_FONTS, SOURCE_PACKAGE, FontFace, find_source_font

# Bump when the output changes (character split, tables, outlines) so existing installs rebuild.
RECIPE_VERSION = 2
MANIFEST = "fonts.json"
# Outputs of any recipe: zz-serif-regular.ttf (recipe 1) and the like are removed when they are not current.
OUTPUT_GLOB = "zz-serif*.*"
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
# Korean syllables are 11 000 glyphs no Zhengzhou document needs; they stay out of both files.
HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))
# Copyright and licence (SIL OFL) records travel with the derived fonts.
KEPT_NAME_IDS = (0, 5, 13, 14)
# Tables no horizontally set, feature-free PDF text uses: layout, vertical metrics, baselines, signatures.
DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG")


class Command(BaseCommand):
    help = "从 Debian 软件包 fonts-noto-cjk 的思源宋体（Noto Serif CJK SC）生成 PDF 用的中文字体（已生成则跳过）。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="即使字体已是最新也重新生成")

    def handle(self, *args, force: bool = False, **options):
        font_dir = Path(settings.PDF_FONT_DIR)
        font_dir.mkdir(parents=True, exist_ok=True)
        with _exclusive(font_dir):
            sources = _sources()
            recipe = {"version": RECIPE_VERSION, "sources": {name: _identity(*src) for name, src in sources.items()}}
            if not force and _is_current(font_dir, recipe):
                self.stdout.write(f"PDF 字体已就绪：{font_dir}")
                return
            self.stdout.write(f"正在由 {SOURCE_FAMILY} 生成 PDF 字体到 {font_dir}（共 {len(FONT_FACES)} 个文件）……")
            started = time.monotonic()
            for number, face in enumerate(FONT_FACES, start=1):
                face_started = time.monotonic()
                characters = build_face(*sources[SOURCE_FONTS[face.weight]], face, font_dir)
                size = (font_dir / face.filename).stat().st_size / 1e6
                self.stdout.write(
                    f"  [{number}/{len(FONT_FACES)}] {face.filename}：{characters} 个字符，{size:.1f} MB，"
                    f"{time.monotonic() - face_started:.1f} 秒"
                )
            _remove_stale(font_dir)
            _write_json(font_dir / MANIFEST, recipe)
            self.stdout.write(self.style.SUCCESS(f"PDF 字体已生成：{font_dir}（{time.monotonic() - started:.1f} 秒）"))


@contextmanager
def _exclusive(font_dir: Path):
    """Serialise concurrent runs (parallel test sessions, several deploy hooks); the later one finds fonts ready."""
    with open(font_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _sources() -> dict[str, tuple[Path, int]]:
    sources = {name: find_source_font(name) for name in SOURCE_FONTS.values()}
    missing = [name for name, source in sources.items() if source is None]
    if missing:
        raise CommandError(
            f"未找到生成 PDF 字体所需的 {SOURCE_FAMILY}（{'、'.join(missing)}）。"
            f"请先安装 Debian 软件包 {SOURCE_PACKAGE}：apt-get install {SOURCE_PACKAGE}，再运行本命令。"
        )
    return sources


def _identity(path: Path, index: int) -> list:
    stat = path.stat()
    return [str(path), index, stat.st_size, stat.st_mtime_ns]


def _is_current(font_dir: Path, recipe: dict) -> bool:
    try:
        manifest = json.loads((font_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return manifest == recipe and all((font_dir / face.filename).is_file() for face in FONT_FACES)


def _remove_stale(font_dir: Path) -> None:
    current = {face.filename for face in FONT_FACES}
    for path in font_dir.glob(OUTPUT_GLOB):
        if path.name not in current:
            path.unlink()


def build_face(source_path: Path, index: int, face: FontFace, font_dir: Path) -> int:
    """Write one prepared font file and return how many characters it holds; a reader never sees half a file."""
    codepoints = _codepoints(TTFont(source_path, fontNumber=index, lazy=True).getBestCmap(), face.part)
    font = TTFont(io.BytesIO(_subset(source_path, index, codepoints)), recalcTimestamp=False)
    _rename(font, face)
    target = font_dir / face.filename
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    font.save(partial)
    os.replace(partial, target)
    return len(codepoints)


def _subset(source_path: Path, index: int, codepoints: set[int]) -> bytes:
    """The source face cut down to these characters (and .notdef), outlines and metrics untouched."""
    subset_input = hb.SubsetInput()
    subset_input.unicode_set.update(codepoints)
    subset_input.name_id_set.update(KEPT_NAME_IDS)  # HarfBuzz keeps only IDs 0–6 unless told
    subset_input.drop_table_tag_set.update(int.from_bytes(tag.encode(), "big") for tag in DROPPED_TABLES)
    subset_input.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    face = hb.Face(hb.Blob.from_file_path(str(source_path)), index)
    return hb.subset(face, subset_input).blob.data


def _codepoints(cmap: dict[int, str], part: str) -> set[int]:
    gb2312 = gb2312_hanzi()
    common = {cp for cp in cmap if cp in gb2312 or not (_within(cp, HAN_RANGES) or _within(cp, HANGUL_RANGES))}
    if part == "common":
        return common
    return {cp for cp in cmap if _within(cp, HAN_RANGES)} - common


def _within(codepoint: int, ranges) -> bool:
    return any(low <= codepoint <= high for low, high in ranges)


@cache
def gb2312_hanzi() -> frozenset[int]:
    """The 6 763 hanzi of GB 2312 (rows 16–87): the characters nearly every Chinese text is written in."""
    hanzi = set()
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                hanzi.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue  # the unassigned tail of row 55
    return frozenset(hanzi)


def _rename(font: TTFont, face: FontFace) -> None:
    """Names of our own (the OFL asks a modified font not to pose as the original), the source's legal records kept."""
    source_names = font["name"]
    style = "Bold" if face.weight >= 700 else "Regular"
    names = {name_id: source_names.getDebugName(name_id) for name_id in KEPT_NAME_IDS}
    names.update(
        familyName=face.family,
        styleName=style,
        fullName=f"{face.family} {style}",
        psName=f"{face.family.replace(' ', '')}-{style}",
        description=f"Subset of {source_names.getDebugName(4)}, made for zzmetro PDFs.",
    )
    FontBuilder(font=font).setupNameTable({key: value for key, value in names.items() if value})


def _write_json(path: Path, data: dict) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(data, indent=2))
    os.replace(partial, path)
