"""The numbers of our rule book (DOMAIN.md: A1–A12, M1–M8, "S1 四(九)" …) belong in tests, docstrings and commits,
never in what people read (STYLE "Words"): not on a page, not in an e-mail, not in a PDF document.

The pages are walked as bureau staff from the admin site itself (the write walk's `_walkable`); the e-mails are those
the demo's lifecycle queued in the outbox; the documents are the PDFs those pages link to, read back as text. Every
template and every Chinese string in the code is read too, so a page the walk cannot reach (the portal, the
register) is covered by its source.
"""

import ast
import pathlib
import re
from contextlib import closing

import pypdfium2 as pdfium
import pytest
from django.conf import settings

from . import admin_walk as walk
from .test_admin_language import visible_text
from .test_admin_write_walk import _walkable, logins, world  # noqa: F401  (fixtures)

# A rule ID standing on its own (not part of a code such as 91410100MA4410007B or CZ01), or a clause of S1/S2.
RULE_ID = re.compile(
    r"(?<![A-Za-z0-9])(?:[ARPMQITDG]\d{1,2}|L[1-6][a-d]?)(?![A-Za-z0-9])|(?<![A-Za-z0-9])S[12] ?[一二三四五六七八九十]"
)
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}|<!--.*?-->", re.S)
CODE_DIRS = ("zzmetro", "authorizations", "reporting", "inspections")


def rule_ids(text: str) -> list[str]:
    return sorted({m.group(0) for m in RULE_ID.finditer(text)})


def pdf_text(data: bytes) -> str:
    with closing(pdfium.PdfDocument(data)) as document:
        return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_the_rule_id_pattern_finds_citations_but_not_codes():
    """The check below can fail: it finds (A10), （2026年，M8）, L3a and S1 四(九), and leaves certificate numbers,
    credit codes and item codes alone."""
    assert rule_ids("历次版本（M4）；（2026年，M8）；(A10)；超范围许可 L3a；（S1 四(九)）") == [
        "A10",
        "L3a",
        "M4",
        "M8",
        "S1 四",
    ]
    assert rule_ids("ZZJL-2026-0001 91410100MA4410007B CZ01 JJG 596-2012 GB 32100") == []


@pytest.mark.django_db
def test_no_admin_page_e_mail_or_document_shows_a_rule_id(client, world, logins):
    """Actors, D1: every admin page bureau staff can open, every PDF document those pages link to and every e-mail
    the demo's lifecycle queued reads without a DOMAIN rule ID."""
    from zzmetro.models import OutboxMessage

    bureau = world["bureau"]
    _, _, urls = _walkable(client, bureau)
    found, documents = {}, 0
    for url in sorted({u for found_urls in urls.values() for u in found_urls}):
        client.force_login(bureau)
        response = client.get(url)
        kind = response.get("Content-Type", "")
        if "html" in kind and response.content.strip():
            text = visible_text(response.content)
        elif kind == "application/pdf":
            text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
            documents += 1
        else:
            text = ""
        walk.drain(response)
        if rule_ids(text):
            found[url] = rule_ids(text)
    mails = list(OutboxMessage.objects.all())
    for mail in mails:
        if rule_ids(f"{mail.subject}\n{mail.body}"):
            found[f"e-mail “{mail.subject}”"] = rule_ids(f"{mail.subject}\n{mail.body}")
    assert documents >= 5 and len(mails) >= 5, "the walk should read some documents and e-mails"
    assert found == {}


def test_no_template_shows_a_rule_id():
    """Every page, e-mail and document template, with its template comments left out, names no DOMAIN rule."""
    found = {}
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(pathlib.Path(directory).rglob("*")):
            if path.suffix in (".html", ".txt", ".xml") and rule_ids(TEMPLATE_COMMENT.sub("", path.read_text())):
                found[str(path.relative_to(directory))] = rule_ids(TEMPLATE_COMMENT.sub("", path.read_text()))
    assert found == {}


def _chinese_strings(path: pathlib.Path):
    """Chinese string constants of a module other than its docstrings: labels, messages, e-mail bodies."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if re.search(r"[\u4e00-\u9fff]", node.value):
                yield node.lineno, node.value


def test_no_message_label_or_e_mail_text_in_the_code_names_a_rule_id():
    """Every Chinese string of the code (model and field labels, help texts, refusals, e-mail bodies, commands)
    reads without a DOMAIN rule ID; tests and docstrings may cite them."""
    root = pathlib.Path(settings.BASE_DIR)
    found = []
    for directory in CODE_DIRS:
        for path in sorted((root / directory).rglob("*.py")):
            if {"tests", "migrations"} & set(path.relative_to(root).parts):
                continue
            found += [
                f"{path.relative_to(root)}:{line}: {text[:60]}"
                for line, text in _chinese_strings(path)
                if rule_ids(text)
            ]
    assert found == []
