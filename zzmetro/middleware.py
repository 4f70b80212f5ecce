"""Request-wide middleware of the production setup: request ids and access log lines, no-store for signed-in pages,
no NUL bytes in parameters."""

import logging
import time

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.functional import empty

from zzmetro import health
from zzmetro.logging import incoming_or_new, request_id

access_log = logging.getLogger("zzmetro.access")


class RequestIdMiddleware:
    """First in MIDDLEWARE: every log line of the request carries its id, and one access line ends it.

    It also answers the health probes itself (zzmetro/health.py), so that no later middleware reads the session for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = incoming_or_new(request.headers.get("X-Request-ID"))
        request.request_id = rid
        token = request_id.set(rid)
        started = time.monotonic()
        try:
            response = health.answer_probe(request) or self.get_response(request)
            response["X-Request-ID"] = rid
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id.reset(token)


def _user_id(request) -> int | None:
    """The signed-in user's id, only if authentication already looked: logging must not load a session for nothing."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class NoStoreForSignedInMiddleware:
    """A signed-in user's pages are never kept by a browser or proxy cache (shared computers in offices).

    Downloads set no-store themselves (zzmetro/responses.py), whoever asks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


FORBIDDEN_CHARACTERS = ("\x00",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ForbiddenCharactersMiddleware:
    """A query parameter or form field with a NUL byte gets a 400 page in Chinese, before any view or filter sees it.

    PostgreSQL cannot store or compare a text with a NUL, so such a value reaching a filter, a search or a form would
    end in a server error; no one types it, so the request is refused as a whole. After the upload size check, so an
    oversized body is still refused unread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_forbidden(request.GET) or (
            request.method == "POST" and request.content_type in FORM_TYPES and _has_forbidden(request.POST)
        ):
            return render(request, "400_characters.html", status=400)
        return self.get_response(request)


def _has_forbidden(params) -> bool:
    return any(
        character in text
        for key, values in params.lists()
        for text in (key, *values)
        if isinstance(text, str)
        for character in FORBIDDEN_CHARACTERS
    )
