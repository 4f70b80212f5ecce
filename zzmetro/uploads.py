"""Uploads are hostile until proven otherwise (DOMAIN G4): size before reading, type and structure from content.

Three layers, each refusing before the next one reads anything:
1. `zzmetro.upload_handlers`: a request body longer than `request_max_bytes()` gets a 413 before it is read, and a
   streamed file passing `file_max_bytes()` stops being stored (a lying multipart body cannot fill disk or memory).
2. `LimitedFileField`: each form field checks `upload.size` against its own limit, naming the file and the limit.
3. `validate_document` (PDF, PNG, JPEG): size again (services are called without forms too), then the structure:
   a PDF must parse with at least one page and end in `%%EOF`, an image must open, verify and decode.
The stored extension is always the one derived from the content, never the user's.
"""

import io
import re
import threading
import warnings
from collections.abc import Callable

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image

# Form fields and multipart boundaries around the largest file a request may carry.
MULTIPART_ALLOWANCE = 1024 * 1024
ACCEPTED = "请上传扫描件PDF或PNG、JPEG图片。"
# What browsers sniff as HTML or script in a file's first bytes; no scan or photo starts like this.
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta)\b|javascript:", re.I)
# Every JavaScript action carries /S /JavaScript; the short key /JS alone would match compressed image data by chance.
PDF_ACTIONS = re.compile(rb"/(JavaScript|Launch|RichMedia)(?=[\s/<>\[\]()])")
# pdfium is not thread-safe (pypdfium2 docs); the dev server and live-server tests are threaded.
_PDFIUM_LOCK = threading.Lock()


# --- limits: one setting each, read at call time -------------------------------------------------------------


def document_max_bytes() -> int:
    """Scanned documents and images (application materials, stamped copies, evidence, complaint results)."""
    return settings.UPLOAD_MAX_BYTES


def monthly_report_max_bytes() -> int:
    return settings.ZZ_POLICY["MONTHLY_REPORT_UPLOAD_MAX_BYTES"]


def archive_import_max_bytes() -> int:
    return settings.ZZ_POLICY["ARCHIVE_IMPORT_MAX_BYTES"]


def file_max_bytes() -> int:
    """The largest file any upload field accepts: beyond it a streamed file is cut off."""
    return max(document_max_bytes(), monthly_report_max_bytes(), archive_import_max_bytes())


def request_max_bytes() -> int:
    """The longest request body accepted at all: the largest file plus the form around it."""
    return file_max_bytes() + MULTIPART_ALLOWANCE


def readable_size(size: int) -> str:
    return filesizeformat(size).replace("\xa0", " ")


def too_large_message(name: str, size: int, limit: int) -> str:
    return f"文件“{name}”大小为{readable_size(size)}，超过上限{readable_size(limit)}，未保存。请压缩或拆分后重新上传。"


def check_size(upload, limit: int) -> None:
    """Refuse an upload larger than `limit` from its declared size, before anything reads it."""
    if upload.size > limit:
        raise ValidationError(too_large_message(upload.name, upload.size, limit), code="too_large")
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”是空文件。", code="empty")


class OversizedUpload(UploadedFile):
    """What the upload handler leaves of a file it cut off: its name and size, and no content to store."""

    def __init__(self, *, name: str, size: int, field_name: str):
        super().__init__(file=io.BytesIO(), name=name, content_type="application/octet-stream", size=size)
        self.field_name = field_name

    def _refuse(self, *args, **kwargs):
        raise ValidationError(too_large_message(self.name, self.size, file_max_bytes()), code="too_large")

    read = chunks = open = _refuse


class LimitedFileField(forms.FileField):
    """A FileField that refuses a file above its own limit (a callable, so tests and settings can change it)."""

    def __init__(self, *, max_bytes: Callable[[], int], **kwargs):
        self.max_bytes = max_bytes
        kwargs.setdefault("error_messages", {"required": "请选择要上传的文件。", "empty": "上传的文件是空文件。"})
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value:
            check_size(value, self.max_bytes())


class DocumentField(LimitedFileField):
    """A scanned document or image: PDF, PNG or JPEG up to UPLOAD_MAX_BYTES."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(max_bytes=document_max_bytes, **kwargs)


# --- content and structure -------------------------------------------------------------------------------------


def _refuse(name: str, why: str) -> ValidationError:
    return ValidationError(f"文件“{name}”{why}，未保存。{ACCEPTED}", code="invalid_document")


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _check_pdf(name: str, data: bytes) -> None:
    if not data.rstrip(b"\x00\t\n\f\r ").endswith(b"%%EOF"):
        raise _refuse(name, "不是完整的PDF文件（文件不完整或末尾附加了其他内容）")
    if PDF_ACTIONS.search(data):
        raise _refuse(name, "含有脚本或自动执行的动作")
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            raise _refuse(name, "无法按PDF格式打开（可能已损坏、加密或并非PDF）") from error
        try:
            pages = len(document)
            scripts = pdfium_raw.FPDFDoc_GetJavaScriptActionCount(document.raw)
        finally:
            document.close()
    if pages < 1:
        raise _refuse(name, "是没有页面的PDF")
    if scripts:
        raise _refuse(name, "含有脚本或自动执行的动作")


def _check_image(name: str, data: bytes, expected: str) -> None:
    """Open, verify and (for JPEG, at 1/8 scale) decode the image, refusing one whose pixel count is a bomb."""
    max_pixels = settings.UPLOAD_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _refuse(name, f"的像素数为{width}×{height}，超过上限{max_pixels:,}")
                image.verify()
            if expected == "JPEG":
                with Image.open(io.BytesIO(data), formats=[expected]) as image:
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except ValidationError:
        raise
    except Exception as error:  # Pillow raises many types for broken or hostile files
        raise _refuse(name, "无法按图片格式打开（可能已损坏或并非图片）") from error
    end = data.rstrip(b"\x00\t\n\f\r ")
    if expected == "PNG" and not end.endswith(b"IEND\xaeB`\x82"):
        raise _refuse(name, "不是完整的PNG图片（文件不完整或末尾附加了其他内容）")
    if expected == "JPEG" and not end.endswith(b"\xff\xd9"):
        raise _refuse(name, "不是完整的JPEG图片（文件不完整或末尾附加了其他内容）")


# Leading bytes of the document types we accept, the check of their structure and the extension we store.
SIGNATURES = {
    b"%PDF-": (".pdf", _check_pdf),
    b"\x89PNG\r\n\x1a\n": (".png", lambda name, data: _check_image(name, data, "PNG")),
    b"\xff\xd8\xff": (".jpg", lambda name, data: _check_image(name, data, "JPEG")),
}


def validate_document(upload, *, max_bytes: int | None = None) -> str:
    """Return the extension matching the content of a PDF or image upload, or raise ValidationError.

    The size is checked before a byte is read; a file passing it is read once (it is at most the limit).
    """
    check_size(upload, document_max_bytes() if max_bytes is None else max_bytes)
    data = _read_all(upload)
    if MARKUP.search(data[:1024]):
        raise _refuse(upload.name, "含有网页或脚本内容")
    for signature, (extension, check) in SIGNATURES.items():
        if data.startswith(signature):
            check(upload.name, data)
            return extension
    raise _refuse(upload.name, "的内容不是PDF、PNG或JPEG格式")
