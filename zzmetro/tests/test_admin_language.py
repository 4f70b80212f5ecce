"""Bureau staff and managers read the admin in Chinese (STYLE "Words"; DOMAIN Actors: the admin is Chinese).

The walk takes every admin page from the site itself (the write walk's `_walkable`), as bureau staff and as a
manager, and reads what a person reads there: the text between the tags, plus tooltips, placeholders and button
captions — never scripts, styles or other attribute values.
"""

import re

import lxml.html
import pytest

from . import admin_walk as walk
from .test_admin_write_walk import _walkable, logins, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

# Latin words a Chinese reader meets in Chinese documents and that have no better Chinese form.
ALLOWED_WORDS = {
    "PDF",
    "Excel",
    "QR",
    "JJF",
    "JJG",
    "GB",
    "CNAS",
    "CMA",
    "IC",
    "USB",
    "ID",
    "ZIP",
    "URL",
    "kV",
    "kW",
    "kWh",
    "mm",
    "cm",
    "km",
    "kg",
    "MPa",
    "kPa",
    "Pa",
    "Hz",
    "MHz",
    "dB",
    "ml",
    "mL",
    "pH",
    "Ω",
}
# Codes and identifiers shown as they are: certificate, application and document numbers, credit codes, instrument
# models and serial numbers (anything holding a digit), e-mail and web addresses, file names, URL paths, and the
# masked password digest Django shows on an account.
IDENTIFIER = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+"  # e-mail address
    r"|https?://\S+"  # web address
    r"|(?<![A-Za-z0-9])/[\w/.-]*"  # a path such as /admin/login/
    r"|[\w.-]+\.(?:xlsx|xls|pdf|csv|png|jpe?g)(?![A-Za-z0-9])"  # a file name
    r"|[A-Za-z0-9+/]*\*{4,}"  # a masked secret
    r"|(?<![A-Za-z0-9])(?=[A-Za-z0-9./-]*\d)[A-Za-z0-9][A-Za-z0-9./-]*"  # anything holding a digit: a number, model or code
)
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
SHOWN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")


def visible_text(html: bytes | str) -> str:
    """What a reader sees: text outside scripts, styles and templates, plus tooltips, placeholders and captions."""
    document = lxml.html.document_fromstring(html.decode() if isinstance(html, bytes) else html)
    for hidden in document.xpath("//script|//style|//noscript|//template|//head"):
        hidden.drop_tree()
    parts = [document.text_content()]
    for attribute in SHOWN_ATTRIBUTES:
        parts += document.xpath(f"//@{attribute}")
    parts += document.xpath("//input[@type='submit' or @type='button' or @type='reset']/@value")
    parts += [option.text_content() for option in document.xpath("//option")]
    return "\n".join(str(part) for part in parts)


def english_words(text: str, usernames: set[str]) -> set[str]:
    text = IDENTIFIER.sub(" ", text)
    return {w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED_WORDS and w not in usernames}


def admin_pages(client, user):
    """(url, visible text) of every HTML page of the admin that `user` is shown (refusals included)."""
    _, pages, urls = _walkable(client, user)
    for url in sorted({u for found in urls.values() for u in found}):
        client.force_login(user)
        response = client.get(url)
        walk.drain(response)
        if "html" in response.get("Content-Type", "") and response.content.strip():
            yield url, visible_text(response.content)


def _usernames():
    from authorizations.models import User

    return set(User.objects.values_list("username", flat=True))


@pytest.mark.parametrize("role", ["bureau", "manager"])
def test_every_admin_page_reads_in_chinese_without_english_words_or_object_placeholders(client, world, logins, role):
    """Actors: bureau staff and managers work in a Chinese admin — on every page they can open (lists, forms,
    rows in each lifecycle state, history, transitions, refusals) there is no English word outside the allow-list
    (PDF, Excel, QR, standard codes, numbers and models) and no Django placeholder such as "SampleItem object (1)"."""
    user = world[role]
    usernames = _usernames()
    english, placeholders, walked = {}, [], 0
    for url, text in admin_pages(client, user):
        walked += 1
        words = english_words(text, usernames)
        if words:
            english[url] = sorted(words)
        if "object (" in text:
            placeholders.append(url)
    by_word = {}
    for url, words in english.items():
        for word in words:
            by_word.setdefault(word, url)
    assert walked > 100
    assert (placeholders, by_word) == ([], {}), (
        "pages showing 'object (…)', and English words with the first page showing each"
    )


def test_visible_text_includes_tooltips_and_buttons_but_not_scripts_or_links(client):
    """The reader's text, as the walk above reads it: a button caption and a tooltip count, a script and a link
    address do not."""
    html = (
        '<html><head><title>x</title></head><body><p title="Tooltip">正文</p><a href="/admin/Users/">用户</a>'
        '<script>var English = 1;</script><input type="submit" value="Save"></body></html>'
    )
    words = english_words(visible_text(html), set())
    assert words == {"Tooltip", "Save"}
    codes = "证书ZZJL-2026-0001 代码91410100MA4410007B 文件archive.xlsx导入 页面/admin/login/ 盐: Aj****** 邮箱a@b.cn"
    assert english_words(codes, set()) == set()
