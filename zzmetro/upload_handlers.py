"""Request-level size limits (DOMAIN G4): refuse a long body before reading it, cut off a file that streams too long.

`UploadSizeMiddleware` answers 413 from the declared CONTENT_LENGTH alone, before CSRF or a view touches the body.
Django never reads past CONTENT_LENGTH (and reads nothing without it), so that bounds every request; within it,
`SizeLimitUploadHandler` (first in FILE_UPLOAD_HANDLERS) stops passing a file's chunks to the storing handlers once
it passes the largest per-field limit, and hands the form an `OversizedUpload` carrying only name and size, so the
form names the file and the limit instead of failing with a bare error page.
"""

from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render

from zzmetro.uploads import OversizedUpload, file_max_bytes, readable_size, request_max_bytes


def declared_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class UploadSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length, limit = declared_length(request), request_max_bytes()
        if length > limit:
            context = {"size": readable_size(length), "limit": readable_size(file_max_bytes())}
            response = render(request, "413.html", context, status=413)
            return response
        return self.get_response(request)


class SizeLimitUploadHandler(FileUploadHandler):
    """Count each streamed file's bytes; past the limit, drop the rest and report the file as oversized."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.limit, self.received = file_max_bytes(), 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        # Returning None keeps the chunk from the memory and temporary-file handlers after this one.
        return raw_data if self.received <= self.limit else None

    def file_complete(self, file_size):
        if self.received <= self.limit:
            return None  # the next handler returns the stored file
        return OversizedUpload(name=self.file_name, size=self.received, field_name=self.field_name)
