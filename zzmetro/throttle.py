"""Counting requests per key in Django's cache, so an anonymous form cannot be used to flood someone's mailbox."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address; behind the HTTPS proxy, the address the proxy saw (the last X-Forwarded-For hop).

    The header is read only on a connection from the proxy itself (TRUSTED_PROXY_ADDRESSES): everything before the
    last hop is the client's own text, and a client that reaches the web server directly could write the last hop too
    (DOMAIN G1: the lockout counts per address, G2: the audit log names it).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if (
        getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        and forwarded
        and remote in getattr(settings, "TRUSTED_PROXY_ADDRESSES", ("127.0.0.1", "::1"))
    ):
        return forwarded.split(",")[-1].strip()
    return remote


def hit(scope: str, key: str, *, limit: int, window_seconds: int = 3600) -> bool:
    """Count one request for `key`; True while the window's count is within `limit`."""
    cache_key = f"zz-throttle:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
