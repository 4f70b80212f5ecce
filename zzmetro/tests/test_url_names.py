"""Every URL of the portal has an access case (DOMAIN "Actors"; issue 9): a page nobody walked is a page nobody checked.

The access tables are the `urls` of the `zzmetro.access_walk.AccessWalk` subclasses in every app's
`tests/test_*access*.py`. A new URL gets its case as one row in its app's table, e.g.

    Url("licences:manufacturer_detail", READER, kwargs=lambda w: {"pk": w["manufacturer"].pk}),

and a new area can bring its own `tests/test_access_<area>.py` with its own `AccessWalk` subclass: it is found here
without registering it anywhere.
"""

import importlib
from pathlib import Path

from django.apps import apps
from django.conf import settings

from zzmetro.access_walk import AccessWalk
from zzmetro.testing import named_urls, url_namespaces

# Walked elsewhere: zzmetro/tests/test_admin_write_walk.py walks every admin URL, taken from the admin site itself.
ADMIN = "admin"

# Named URLs outside the admin that no access table walks, each for a reason. (benchmarks/load.py's bench/hello/ is
# unnamed and mounted only in the benchmark's own server, so it never appears here.)
NOT_WALKED = {
    # Django's authentication pages: open to everyone by design; authorizations/tests/test_identity.py and
    # test_accounts.py check lockout, password rules and resets on them.
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # The second factor's sign-in steps (G3): authorizations/tests/test_identity.py walks them.
    "otp_setup",
    "otp_verify",
    "otp_recovery_codes",
    # The load balancer's probes: open to everyone and showing no rows, checked as every actor by
    # authorizations/tests/test_access.py::test_health_probes_answer_everyone_and_reveal_no_data.
    "healthz_live",
    "healthz_ready",
}


def access_walks() -> list[type[AccessWalk]]:
    """The access-table classes of every project app, imported from its tests/test_*access*.py."""
    for app in apps.get_app_configs():
        if Path(app.path).is_relative_to(settings.BASE_DIR):
            for module in sorted(Path(app.path, "tests").glob("test_*access*.py")):
                importlib.import_module(f"{app.name}.tests.{module.stem}")
    found, todo = [], [AccessWalk]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.urls]


def project_urls() -> set[str]:
    return named_urls(namespaces=url_namespaces() - {ADMIN})


def walked_urls() -> set[str]:
    return {name for cls in access_walks() for name in cls.walked_names() if not name.startswith(f"{ADMIN}:")}


def test_access_tables_walk_every_url_of_the_portal():
    """Actors: a URL added without a row in an access table (or a reason in NOT_WALKED) fails here."""
    unwalked = project_urls() - NOT_WALKED - walked_urls()
    assert not unwalked, (
        f"give each a Url(name, answers, …) row in its app's tests/test_*access*.py: {sorted(unwalked)}"
    )


def test_access_tables_and_the_exceptions_name_only_urls_that_exist():
    """A row or an exception left behind by a removed URL fails here, so the tables keep saying what is true."""
    assert (walked_urls() | NOT_WALKED) - project_urls() == set()
    assert walked_urls() & NOT_WALKED == set()


def test_every_app_has_an_access_table():
    """Actors: each app that serves pages outside the admin answers for them in its own access test."""
    owners = {cls.__module__.split(".")[0] for cls in access_walks()}
    assert {"authorizations", "reporting", "inspections"} <= owners
