"""Chinese PDF documents (DOMAIN D1): Django template → HTML → WeasyPrint PDF, A4.

Fonts. A system CJK font is a 20–30 MB collection of 65 000 CFF glyphs; WeasyPrint has to load and subset it for
every PDF. `manage.py prepare_fonts` therefore cuts Noto Serif CJK SC (Debian package fonts-noto-cjk) into four
smaller OpenType (CFF) files in settings.PDF_FONT_DIR, which WeasyPrint subsets with HarfBuzz (libharfbuzz-subset0):

    "ZZ Serif"       ASCII, punctuation, symbols, fullwidth forms and the 6 763 GB 2312 hanzi — nearly every text
    "ZZ Serif Rare"  every other ideograph of the source (CJK Unified, Ext A such as 䶮, …), loaded only when a
                     name such as 郑州堃䶮计量站 needs it

each in regular and bold. The document stylesheet lists "ZZ Serif", "ZZ Serif Rare", then the system font itself,
so when the prepared files are missing the PDF still comes out in the same typeface, only slower — a skipped
deploy step must not stop the bureau from printing a certificate. With neither, render_pdf raises
ImproperlyConfigured instead of printing boxes (tofu).
"""

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from fontTools.ttLib import TTCollection, TTFont, TTLibError
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FontFace:
    """One prepared font file: which CSS family and weight it serves and which glyphs it holds."""

    family: str
    weight: int
    part: str  # "common" or "rare", see the module docstring
    filename: str


FONT_FACES = (
    FontFace("ZZ Serif", 400, "common", "zz-serif-regular.otf"),
    FontFace("ZZ Serif", 700, "common", "zz-serif-bold.otf"),
    FontFace("ZZ Serif Rare", 400, "rare", "zz-serif-rare-regular.otf"),
    FontFace("ZZ Serif Rare", 700, "rare", "zz-serif-rare-bold.otf"),
)
# The faces prepare_fonts reads (PostScript names inside the fonts-noto-cjk collections), by weight.
SOURCE_FONTS = {400: "NotoSerifCJKsc-Regular", 700: "NotoSerifCJKsc-Bold"}
SOURCE_FAMILY = "Noto Serif CJK SC"
SOURCE_PACKAGE = "fonts-noto-cjk"
FONT_SEARCH_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


def find_source_font(postscript_name: str) -> tuple[Path, int] | None:
    """(file, index in the collection) of an installed font with this PostScript name, or None."""
    for directory in FONT_SEARCH_DIRS:
        for path in sorted(Path(directory).expanduser().glob("**/NotoSerifCJK*")):
            index = _face_index(path, postscript_name)
            if index is not None:
                return path, index
    return None


def _face_index(path: Path, postscript_name: str) -> int | None:
    try:
        faces = TTCollection(path, lazy=True).fonts if path.suffix == ".ttc" else [TTFont(path, lazy=True)]
    except (OSError, TTLibError):
        return None
    names = [face["name"].getDebugName(6) for face in faces]
    return names.index(postscript_name) if postscript_name in names else None


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a template under templates/ to A4 PDF bytes (the page size is set in documents/base.css)."""
    html = render_to_string(template_name, context)
    with _lock:
        renderer = _renderer()
        document = HTML(string=html, url_fetcher=renderer.fetcher)
        return document.write_pdf(stylesheets=[renderer.fonts], font_config=renderer.font_config)


@dataclass
class _Renderer:
    key: tuple
    font_config: FontConfiguration
    fonts: CSS
    fetcher: URLFetcher


# Pango and Fontconfig objects are neither thread-safe nor fork-safe: renders are serialised, and a forked
# worker (Celery prefork, gunicorn --preload) builds its own configuration.
_lock = threading.Lock()
_cached: _Renderer | None = None


def _renderer() -> _Renderer:
    """The font configuration shared by every render, so fonts are registered and opened only once."""
    global _cached
    font_dir = Path(settings.PDF_FONT_DIR)
    available = tuple(face for face in FONT_FACES if (font_dir / face.filename).is_file())
    key = (os.getpid(), font_dir, available)
    if _cached is None or _cached.key != key:
        _ensure_chinese_font(font_dir, available)
        # Only data: URIs (QR codes) and local font files: a document never reaches the network.
        fetcher = URLFetcher(allowed_protocols=("data", "file"))
        font_config = FontConfiguration()
        fonts = CSS(string=_font_face_css(font_dir, available), font_config=font_config, url_fetcher=fetcher)
        _cached = _Renderer(key, font_config, fonts, fetcher)
    return _cached


def _font_face_css(font_dir: Path, faces: tuple[FontFace, ...]) -> str:
    return "\n".join(
        f"@font-face {{ font-family: '{face.family}'; font-weight: {face.weight}; "
        f"src: url('{(font_dir / face.filename).as_uri()}'); }}"
        for face in faces
    )


def _ensure_chinese_font(font_dir: Path, available: tuple[FontFace, ...]) -> None:
    """Accept the system font as a slower stand-in for missing prepared files; refuse to print tofu."""
    if len(available) == len(FONT_FACES):
        return
    if find_source_font(SOURCE_FONTS[400]) is None:
        raise ImproperlyConfigured(
            f"无法生成中文 PDF：{font_dir} 中的预处理字体不全，系统中也没有 {SOURCE_FAMILY} 字体。"
            f"请安装 Debian 软件包 {SOURCE_PACKAGE} 并运行 python manage.py prepare_fonts。"
        )
    logger.warning(
        "PDF fonts are not prepared in %s; rendering with the system font %s, which is slower. "
        "Run `python manage.py prepare_fonts`.",
        font_dir,
        SOURCE_FAMILY,
    )
