"""Responses for generated documents, shared by the portal and the admin."""
from urllib.parse import quote

from django.http import Http404, HttpResponse


def pdf_response(content: bytes, filename: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    if filename:
        # RFC 5987: a Chinese file name survives every browser only percent-encoded.
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


def document_response(render, obj, filename: str = "") -> HttpResponse:
    """The PDF `render(obj)` makes, or a 404 saying why when that document does not exist (yet)."""
    try:
        content = render(obj)
    except ValueError as error:
        raise Http404(str(error)) from error
    return pdf_response(content, filename)
