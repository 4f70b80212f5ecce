"""Checks for uploaded documents: the type is read from the content, never trusted from the name."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# Leading bytes of the document types we accept.
SIGNATURES = {
    b"%PDF-": ("PDF", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("PNG图片", ".png"),
    b"\xff\xd8\xff": ("JPEG图片", ".jpg"),
}


def validate_document(upload) -> str:
    """Return the extension matching the content of a PDF or image upload, or raise ValidationError."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(f"文件“{upload.name}”大小为{filesizeformat(upload.size)}，超过上限{filesizeformat(limit)}。")
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”是空文件。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, (_label, extension) in SIGNATURES.items():
        if head.startswith(signature):
            return extension
    raise ValidationError(f"文件“{upload.name}”的内容不是PDF、PNG或JPEG格式，请上传扫描件PDF或图片。")
