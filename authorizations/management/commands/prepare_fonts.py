"""Build the fonts embedded in Chinese PDFs (DOMAIN D1) into settings.PDF_FONT_DIR; see zzmetro/pdf.py.

The source is Noto Serif CJK SC from the Debian package fonts-noto-cjk. Its outlines are cubic (CFF) and it holds
65 000 glyphs; each output keeps only its share of the characters (zzmetro.pdf.FONT_FACES) and is converted to
quadratic TrueType outlines, which WeasyPrint subsets several times faster and embeds smaller. Layout and
vertical tables are left out: the documents are set horizontally and need no OpenType features.

Idempotent: a manifest records the recipe and the source files it was built from; when it matches, the command
returns at once. Building takes about a minute on two cores (the four files are built in parallel).
"""
import fcntl
import json
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from zzmetro.pdf import FONT_FACES, SOURCE_FAMILY, SOURCE_FONTS, SOURCE_PACKAGE, FontFace, find_source_font

# Bump when the output changes (character split, tables, outlines) so existing installs rebuild.
RECIPE_VERSION = 1
MANIFEST = "fonts.json"
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
# Korean syllables are 11 000 glyphs no Zhengzhou document needs; they stay out of both files.
HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))
# Copyright and licence (SIL OFL) records travel with the derived fonts.
KEPT_NAME_IDS = (0, 5, 13, 14)
# Font units of deviation allowed when turning cubic curves into quadratic ones (1 000 units per em).
MAX_CURVE_ERROR = 1.0


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
            self.stdout.write(f"正在由 {SOURCE_FAMILY} 生成 PDF 字体到 {font_dir}（约需一分钟）……")
            _build_all(sources, font_dir)
            _write_json(font_dir / MANIFEST, recipe)
            self.stdout.write(self.style.SUCCESS(f"PDF 字体已生成：{font_dir}"))


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


def _build_all(sources: dict[str, tuple[Path, int]], font_dir: Path) -> None:
    # The rare files take twice as long: starting them first keeps both cores busy to the end.
    faces = sorted(FONT_FACES, key=lambda face: face.part != "rare")
    # spawn, not fork: the parent may hold a database connection that a forked child must not inherit.
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(len(faces), os.cpu_count() or 1), mp_context=context) as pool:
        jobs = [pool.submit(build_face, *sources[SOURCE_FONTS[face.weight]], face, font_dir) for face in faces]
        for job in jobs:
            job.result()


def build_face(source_path: Path, index: int, face: FontFace, font_dir: Path) -> None:
    """Write one prepared font file; a reader never sees a half-written file."""
    source = TTFont(source_path, fontNumber=index, lazy=True)
    font = _quadratic_subset(source, _codepoints(source.getBestCmap(), face.part), face)
    target = font_dir / face.filename
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    font.save(partial)
    os.replace(partial, target)


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


def _quadratic_subset(source: TTFont, codepoints: set[int], face: FontFace) -> TTFont:
    cmap = source.getBestCmap()
    mapping = {cp: cmap[cp] for cp in sorted(codepoints)}
    names = [".notdef"] + sorted(set(mapping.values()) - {".notdef"}, key=source.getGlyphID)
    outlines = source.getGlyphSet()
    glyphs = {name: _quadratic(outlines[name]) for name in names}

    builder = FontBuilder(source["head"].unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap(mapping)
    builder.setupGlyf(glyphs)
    advances = source["hmtx"]
    builder.setupHorizontalMetrics({name: (advances[name][0], getattr(glyphs[name], "xMin", 0)) for name in names})
    _copy_metadata(builder, source, face)
    return builder.font


def _quadratic(glyph):
    pen = TTGlyphPen(None)
    glyph.draw(Cu2QuPen(pen, max_err=MAX_CURVE_ERROR, reverse_direction=True))
    return pen.glyph()


def _copy_metadata(builder: FontBuilder, source: TTFont, face: FontFace) -> None:
    head, hhea, os2 = source["head"], source["hhea"], source["OS/2"]
    # The source's dates make a rebuild byte-identical.
    builder.updateHead(
        macStyle=head.macStyle, fontRevision=head.fontRevision, created=head.created, modified=head.modified
    )
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    style = "Bold" if face.weight >= 700 else "Regular"
    names = {name_id: source["name"].getDebugName(name_id) for name_id in KEPT_NAME_IDS}
    names.update(
        familyName=face.family,
        styleName=style,
        fullName=f"{face.family} {style}",
        psName=f"{face.family.replace(' ', '')}-{style}",
        description=f"Subset of {source['name'].getDebugName(4)} with TrueType outlines, made for zzmetro PDFs.",
    )
    builder.setupNameTable({key: value for key, value in names.items() if value})
    metrics = ("usWeightClass", "fsSelection", "fsType", "achVendID", "sTypoAscender", "sTypoDescender")
    metrics += ("sTypoLineGap", "usWinAscent", "usWinDescent", "sxHeight", "sCapHeight")
    builder.setupOS2(**{field: getattr(os2, field) for field in metrics})
    builder.setupPost(keepGlyphNames=False)


def _write_json(path: Path, data: dict) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(data, indent=2))
    os.replace(partial, path)
