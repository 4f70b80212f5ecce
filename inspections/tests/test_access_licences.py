"""Who may reach the licence register's pages (DOMAIN Actors, L2, L5, L6): the public list is open to everyone;
bureau staff import; managers read and download but change nothing; station officers get none of it."""

import pytest

from zzmetro.access_walk import LOGIN, PUBLIC, READER, AccessWalk, Answers, Url

pytestmark = pytest.mark.django_db

BUREAU_ONLY = Answers(LOGIN, 403, 403, 403, 200)


@pytest.fixture
def world():
    return {}


class TestLicenceAccess(AccessWalk):
    """Actors, L2, L4–L6: the walk of every URL of the licence register outside the admin."""

    namespaces = frozenset({"licences"})
    urls = (
        Url("licences:register", PUBLIC),
        Url("licences:import", BUREAU_ONLY, post=BUREAU_ONLY, kwargs={"kind": "licences"}),
        Url("licences:import_template", BUREAU_ONLY, kwargs={"kind": "approvals"}),
        Url("licences:export", READER),
        Url("licences:finding_export", READER),
        Url("licences:documents", READER, post=Answers(LOGIN, 403, 403, 403, 200)),
        Url("licences:survey", READER),
        Url("licences:administrators", READER),
        Url("licences:summary", READER),
    )
