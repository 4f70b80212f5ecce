"""One access walk for every page of the portal (DOMAIN "Actors"; after NetBox's utilities/testing/views.py).

DOMAIN "Actors" names who may see what: the public only the register; a station's information officer only their
own station; managers read everything and change nothing; bureau staff work in the admin and read the dashboards.
A test class states that as a table — each URL once, with the answer each of the five actors must get:

    class TestPortalAccess(AccessWalk):
        urls = (
            Url("portal:index", OFFICER),
            Url("portal:certificate_detail", OWN, kwargs=lambda w: {"pk": w["a"]["certificate"].pk}),
            Url("portal:application_preparation", post=OWN, data=lambda w: {"prep_standards": "x"}, kwargs=...),
        )

        @pytest.fixture
        def world(self, officer1, officer2, manager, bureau): ...  # objects of station A (officer1) and B (officer2)

and the base class generates one GET test and, for write URLs, one POST test per URL, each walking all five actors:
anonymous, officer_a (the conftest's officer1, station A), officer_b (officer2, station B), manager, bureau staff.
Every refused POST and every POST of a manager must leave the database as it was (a hash of every table, before and
after); officer_b asking for station A's object gets the same 404 — status and page — as for an object that does not
exist. zzmetro/tests/test_url_names.py checks that the tables together name every URL of the project.
"""

import dataclasses
import hashlib
import re
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import get_resolver, reverse

from zzmetro.testing import named_urls

ACTORS = ("anonymous", "officer_a", "officer_b", "manager", "bureau")
# The conftest fixture that signs in as each actor (anonymous needs none).
ACTOR_FIXTURES = {"officer_a": "officer1", "officer_b": "officer2", "manager": "manager", "bureau": "bureau"}
# Whatever id a factory gives, no row has this one: the "missing object" officer_b's 404 must look like.
MISSING_PK = 2_000_000_000
_PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


@dataclasses.dataclass(frozen=True)
class Redirect:
    """A 302 to the path of URL name `to` (or to `to` itself when it is a path), with any query (login's ?next=)."""

    to: str

    def path(self) -> str:
        return self.to if self.to.startswith("/") else reverse(self.to)

    def __str__(self) -> str:
        return f"302→{self.to}"


LOGIN = Redirect("login")
ADMIN_LOGIN = Redirect("admin:login")
Answer = int | tuple[int, ...] | Redirect | None  # None: this actor is not walked on this URL


@dataclasses.dataclass(frozen=True)
class Answers:
    """What each actor of DOMAIN "Actors" gets; `.but(officer_a=302)` varies a profile for one URL."""

    anonymous: Answer
    officer_a: Answer
    officer_b: Answer
    manager: Answer
    bureau: Answer

    def but(self, **changes: Answer) -> "Answers":
        return dataclasses.replace(self, **changes)

    def items(self):
        return ((actor, getattr(self, actor)) for actor in ACTORS)


# The profiles most pages share (DOMAIN "Actors").
PUBLIC = Answers(200, 200, 200, 200, 200)  # the public register: no login
OFFICER = Answers(LOGIN, 200, 200, 403, 403)  # a portal page of the signed-in officer's own station
OWN = Answers(LOGIN, 200, 404, 403, 403)  # station A's object: station B's officer gets the 404 of a missing one
READER = Answers(LOGIN, 403, 403, 200, 200)  # bureau staff's and managers' pages outside the admin
ADMIN_READ = Answers(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200)  # officers never enter the admin
ADMIN_WRITE = Answers(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 200)  # managers read only
# A write URL posted to by anyone but the owner: refused, and nothing written (officers' own writes are the
# services' tests; a create form of one's own station is not "someone else's").
OTHERS_REFUSED = Answers(LOGIN, None, 404, 403, 403)

Kwargs = dict[str, Any] | Callable[[dict], dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Url:
    """One row of an access table: a URL name, its kwargs (from the test's `world`), and the answers to GET/POST.

    `data` is the POST body (a callable, so each actor gets fresh uploads); `prepare(world, client_of)` runs before
    the walk, with `client_of(actor)` the very client the walk then uses for that actor (e.g. to fill a session).
    """

    name: str
    get: Answers | None = None
    post: Answers | None = None
    kwargs: Kwargs = dataclasses.field(default_factory=dict)
    query: str = ""
    data: Callable[[dict], dict] = lambda world: {}
    prepare: Callable[[dict, Callable[[str], Client]], None] | None = None

    def path(self, world: dict, **override) -> str:
        kwargs = self.kwargs(world) if callable(self.kwargs) else dict(self.kwargs)
        return reverse(self.name, kwargs={**kwargs, **override}) + self.query

    def names_an_object(self) -> bool:
        """Whether the URL's pattern takes a `pk`: the row a "missing object" replaces by one that does not exist."""
        resolver, *namespaces, name = get_resolver(), *self.name.split(":")
        for namespace in namespaces:
            resolver = resolver.namespace_dict[namespace][1]
        return any(
            "pk" in params for possibility in resolver.reverse_dict.getlist(name) for _, params in possibility[0]
        )

    def officer_b_gets_404(self) -> bool:
        return any(answers and answers.officer_b == 404 for answers in (self.get, self.post))


def fingerprint() -> dict[str, str]:
    """A hash of every row of every table, per model: equal before and after means nothing was written.

    Left out, because a refused request legitimately writes them: the session store, the security audit (DOMAIN G2
    records refusals and downloads), the login-attempt tables of django-axes, and the kept pages' change journal.
    """
    tables = {}
    for model in apps.get_models():
        meta = model._meta
        if not (meta.proxy or not meta.managed or meta.app_label in {"sessions", "axes"} or meta.label in _AUDIT):
            tables[meta.label] = model
    if connection.vendor == "postgresql":  # one round trip instead of one per table
        qn = connection.ops.quote_name
        sql = " UNION ALL ".join(
            f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {qn(m._meta.db_table)} t"
            for m in tables.values()
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, list(tables))
            return dict(cursor.fetchall())
    return {label: _digest(model) for label, model in tables.items()}


# The security audit, and the kept pages' change journal, whose rows only mirror writes to other tables.
_AUDIT = {"zzmetro.SecurityEvent", "zzmetro.TableChange"}


def _digest(model) -> str:
    rows = model._base_manager.order_by("pk").values_list()
    plain = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
    return hashlib.sha256(repr(plain).encode()).hexdigest()


class AccessWalk:
    """Base of every app's access test: subclass as `Test…Access`, set `urls`, give a `world` fixture.

    `namespaces`: the URL namespaces this class answers for in full — a URL added to one of them without a row here
    fails `test_every_url_of_its_namespaces_is_walked` (and zzmetro/tests/test_url_names.py fails for any URL).
    """

    urls: ClassVar[tuple[Url, ...]] = ()
    namespaces: ClassVar[frozenset[str | None]] = frozenset()
    # Names in `namespaces` this class leaves to another walk, each with the reason.
    walked_elsewhere: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def walked_names(cls) -> set[str]:
        return {url.name for url in cls.urls}

    def pytest_generate_tests(self, metafunc):
        if metafunc.function.__name__ == "test_get_answers":
            cases = [url for url in self.urls if url.get]
        elif metafunc.function.__name__ == "test_post_answers":
            cases = [url for url in self.urls if url.post]
        elif metafunc.function.__name__ == "test_officer_b_gets_the_404_of_a_missing_object":
            cases = [url for url in self.urls if url.names_an_object() and url.officer_b_gets_404()]
        else:
            return
        if not cases:  # say why, rather than pytest's "got empty parameter set"
            cases = [pytest.param(None, marks=pytest.mark.skip(reason=f"no row of {type(self).__name__} needs it"))]
        metafunc.parametrize("url", cases, ids=[getattr(url, "name", "none") for url in cases])

    @pytest.fixture
    def client_of(self, request, world):
        """client_of(actor): one client per actor for the whole test, signed in as that actor."""
        clients = {}

        def client_of(actor: str) -> Client:
            if actor not in clients:
                clients[actor] = Client()
                if actor != "anonymous":
                    clients[actor].force_login(request.getfixturevalue(ACTOR_FIXTURES[actor]))
            return clients[actor]

        return client_of

    def test_get_answers(self, url, world, client_of):
        """DOMAIN Actors: each actor gets exactly the answer of the table on GET."""
        self._walk(url, "get", url.get, world, client_of)

    def test_post_answers(self, url, world, client_of):
        """DOMAIN Actors: each actor gets the table's answer on POST; a refused POST or a manager's writes nothing."""
        self._walk(url, "post", url.post, world, client_of)

    def test_officer_b_gets_the_404_of_a_missing_object(self, url, world, client_of):
        """DOMAIN Actors: station B's officer cannot tell station A's object from one that does not exist."""
        if url.prepare:
            url.prepare(world, client_of)
        client = client_of("officer_b")
        method = "get" if url.get and url.get.officer_b == 404 else "post"
        theirs = _request(client, method, url.path(world), url.data(world))
        missing = _request(client, method, url.path(world, pk=MISSING_PK), url.data(world))
        assert theirs.status_code == missing.status_code == 404
        assert _templates(theirs) == _templates(missing) and "404.html" in _templates(theirs)
        assert _page(theirs) == _page(missing)

    def test_every_url_of_its_namespaces_is_walked(self):
        """A URL added to one of this class's namespaces without a row in its table fails here."""
        unwalked = named_urls(namespaces=set(self.namespaces)) - self.walked_names() - self.walked_elsewhere
        assert not unwalked, f"add a Url(name, answers, …) row to {type(self).__name__}.urls for {sorted(unwalked)}"

    def _walk(self, url: Url, method: str, answers: Answers, world: dict, client_of) -> None:
        if url.prepare:
            url.prepare(world, client_of)
        wrong = []
        for actor, expected in answers.items():
            if expected is None:
                continue
            client = client_of(actor)
            watched = method == "post" and (actor == "manager" or _refused(expected))
            before = fingerprint() if watched else None
            response = _request(client, method, url.path(world), url.data(world))
            if not _matches(response, expected):
                wrong.append(f"{actor}: expected {expected}, got {_shown(response)}")
            elif watched and fingerprint() != before:
                changed = sorted(label for label, digest in fingerprint().items() if before.get(label) != digest)
                wrong.append(f"{actor}: answered {_shown(response)} but wrote to {changed}")
        assert not wrong, f"{method.upper()} {url.name}:\n  " + "\n  ".join(wrong)


def _request(client: Client, method: str, path: str, data: dict):
    return client.post(path, data) if method == "post" else client.get(path)


def _matches(response, expected: Answer) -> bool:
    if isinstance(expected, Redirect):
        location, path = response.get("Location", ""), expected.path()
        return response.status_code == 302 and (location == path or location.startswith(path + "?"))
    if isinstance(expected, tuple):
        return response.status_code in expected
    return response.status_code == expected


def _refused(expected: Answer) -> bool:
    if isinstance(expected, Redirect):
        return expected in (LOGIN, ADMIN_LOGIN)
    return expected in (403, 404, 405)


def _shown(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code}→{response['Location']}"
    return str(response.status_code)


def _page(response) -> str:
    """The page as a reader sees it: the CSRF token masked per response and the CSP nonce say nothing about it."""
    return _PER_RESPONSE.sub("", response.content.decode())


def _templates(response) -> list[str]:
    return [t.name for t in response.templates if t.name]
