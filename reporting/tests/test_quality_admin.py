"""The follow-up queue of data-quality flags in the admin: staff mark each explained or confirmed (Q4)."""

import datetime as dt

import pytest
from django.urls import reverse

from authorizations.tests.factories import StationFactory
from reporting.models import MonthlyReport, QualityFlag, QualityFlagEvent

pytestmark = pytest.mark.django_db
S = QualityFlag.Status


@pytest.fixture
def flag(db):
    station = StationFactory(name="郑州市某计量检定站")
    report = MonthlyReport.objects.create(
        station=station, period=dt.date(2026, 9, 1), due_on=dt.date(2026, 10, 3), status="submitted"
    )
    return QualityFlag.objects.create(
        report=report, station=station, period=report.period, kind=QualityFlag.Kind.NIL, reported=0, reference=4,
        detail="月报确认本月无检定，档案中该月却有检定记录4条",
    )  # fmt: skip


def transition_url(flag, name):
    return reverse("admin:reporting_qualityflag_transition", args=[flag.pk, name])


def test_the_queue_lists_open_flags_and_staff_explain_one_with_a_note(flag, admin_client_bureau, bureau):
    """Q4, A12: the queue shows the open flag; 已说明 needs a note and is recorded as an event by the staff member."""
    queue = admin_client_bureau.get(reverse("admin:reporting_qualityflag_changelist") + "?status__exact=open")
    assert queue.context["cl"].result_count == 1 and "郑州市某计量检定站" in queue.content.decode()
    page = admin_client_bureau.get(reverse("admin:reporting_qualityflag_change", args=[flag.pk])).content.decode()
    assert "已说明" in page and "确认存在问题" in page and "档案中该月却有检定记录4条" in page
    refused = admin_client_bureau.post(transition_url(flag, "explain"), {"note": ""})
    assert refused.status_code == 200 and QualityFlag.objects.get(pk=flag.pk).status == S.OPEN
    done = admin_client_bureau.post(transition_url(flag, "explain"), {"note": "单位说明：9月检定次月补录档案"})
    assert done.status_code == 302
    event = QualityFlagEvent.objects.get(flag=flag, action="explain")
    assert (event.by, event.to_state, event.note) == (bureau, "已说明", "单位说明：9月检定次月补录档案")
    after = admin_client_bureau.get(reverse("admin:reporting_qualityflag_changelist") + "?status__exact=open")
    assert after.context["cl"].result_count == 0


def test_confirming_is_confirmed_on_a_page_first(flag, admin_client_bureau):
    """Q4: 确认存在问题 cannot be taken back, so the server shows what will happen before it runs."""
    first = admin_client_bureau.post(transition_url(flag, "confirm"), {"note": "虚报"})
    assert first.status_code == 200 and first.context["confirming"]
    assert QualityFlag.objects.get(pk=flag.pk).status == S.OPEN
    admin_client_bureau.post(transition_url(flag, "confirm"), {"note": "虚报", "_confirmed": "1"})
    assert QualityFlag.objects.get(pk=flag.pk).status == S.CONFIRMED


def test_a_marked_flag_offers_no_further_mark(flag, admin_client_bureau, bureau):
    """Q4, A12: once explained, neither button shows and a crafted request is refused naming the state."""
    from reporting.services.quality import flag_explain

    flag_explain(flag=flag, by=bureau, note="已核实")
    page = admin_client_bureau.get(reverse("admin:reporting_qualityflag_change", args=[flag.pk]))
    assert page.context["transition_buttons"] == []
    refused = admin_client_bureau.post(transition_url(flag, "confirm"), {"note": "x", "_confirmed": "1"})
    assert "当前状态为“已说明”" in refused.content.decode()


def test_managers_read_the_queue_but_cannot_mark(flag, client, manager):
    """Actors: managers read everything and change nothing."""
    client.force_login(manager)
    assert client.get(reverse("admin:reporting_qualityflag_changelist")).status_code == 200
    page = client.get(reverse("admin:reporting_qualityflag_change", args=[flag.pk]))
    assert not page.context.get("transition_buttons")
    assert client.post(transition_url(flag, "explain"), {"note": "x"}).status_code == 403
    assert QualityFlag.objects.get(pk=flag.pk).status == S.OPEN


def test_the_report_page_in_the_admin_lists_its_flags_with_links(flag, admin_client_bureau):
    """Q4: the monthly report's admin page shows each flag and its state, linking to the flag's page."""
    page = admin_client_bureau.get(reverse("admin:reporting_monthlyreport_change", args=[flag.report_id]))
    text = page.content.decode()
    assert "数据质量提示" in text and "档案中该月却有检定记录4条" in text and "待核实" in text
    assert reverse("admin:reporting_qualityflag_change", args=[flag.pk]) in text


def test_the_queue_says_what_the_flags_are_and_what_to_do(flag, admin_client_bureau):
    """Q1–Q4: staff read on the queue how flags arise, that they never blocked a submission, and how to mark them."""
    page = admin_client_bureau.get(reverse("admin:reporting_qualityflag_changelist")).content.decode()
    assert "提示不影响报送" in page and "已说明" in page and "确认存在问题" in page
