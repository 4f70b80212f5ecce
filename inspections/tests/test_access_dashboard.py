"""Who may open the dashboard's station page, exports and monthly brief (DOMAIN "Actors", issue 11).

Managers and bureau staff read them; an officer gets 403 even for his own station's page (the station page shows
what the bureau knows, and officers never see another station's).
"""

import pytest

from zzmetro.access_walk import READER, AccessWalk, Url

pytestmark = pytest.mark.django_db


class TestDashboardAccess(AccessWalk):
    namespaces = frozenset({"dash"})
    urls = (
        Url("dash:station", READER, kwargs=lambda w: {"pk": w["station"].pk}),
        Url("dash:export", READER, kwargs={"panel": "stations"}, query="?year=2026"),
        Url("dash:brief", READER, query="?year=2026&month=11"),
    )

    @pytest.fixture
    def world(self, officer1, officer2, manager, bureau):
        return {"station": officer1.station}
