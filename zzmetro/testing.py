"""Helpers shared by the test suites of every app."""
from django.urls import URLPattern, URLResolver, get_resolver


def named_urls(*, namespaces: set[str | None], resolver=None, namespace: str | None = None) -> set[str]:
    """Fully qualified names of the URL patterns in the given namespaces (None: the root, un-namespaced)."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names |= named_urls(namespaces=namespaces, resolver=pattern, namespace=pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace in namespaces:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names
