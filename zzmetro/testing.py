"""Helpers shared by the test suites of every app."""

from contextlib import contextmanager

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


def url_namespaces(resolver=None, namespace: str | None = None) -> set[str | None]:
    """Every namespace of the project's URLs (None: the root), for `named_urls(namespaces=...)`."""
    resolver = resolver or get_resolver()
    found = {namespace}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found |= url_namespaces(pattern, pattern.namespace or namespace)
    return found


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF with blank A4 pages, as pdfium writes it: what an upload test sends as a scanned document."""
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


def image_bytes(format: str = "PNG", size: tuple[int, int] = (60, 40)) -> bytes:
    """A real PNG or JPEG image of `size` pixels."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=format)
    return buffer.getvalue()


@contextmanager
def apps_at(target: tuple[str, str]):
    """The test database migrated back to `target` (app label, migration name), as that migration's models.

    On leaving it migrates forward to every leaf again, so a data-migration test writes rows as the old code did and
    then reads them as the current code does.
    """
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        yield migrate([target])
    finally:
        migrate(leaves)


@contextmanager
def empty_database(django_db_blocker, suffix: str = "_empty"):
    """A database with no table at all beside the test database (a deployment whose `migrate` never ran); its name.

    Dropped afterwards, also when something still holds a connection to it.
    """
    from django.db import connection

    name = f"{connection.settings_dict['NAME']}{suffix}"[:63]
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
