"""Where a rectification stands, as the officer reads it: who is waiting for whom (DOMAIN I1).

Issue 12: a rectification answered before its deadline showed 已逾期 because staff had not yet checked it, and the
officer was offered the report form again.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from inspections.models import InspectionFinding
from inspections.selectors import supervision as selectors
from inspections.services import onsite

pytestmark = pytest.mark.django_db
CONFORM = {a.value: ("conforms", "") for a in InspectionFinding.Area}
DEADLINE = dt.date(2026, 7, 2)


@pytest.fixture
def rectification(officer1, bureau):
    inspection = onsite.inspection_plan(station=officer1.station, by=bureau, planned_on=dt.date(2026, 6, 1))
    findings = {**CONFORM, "records": ("nonconforms", "原始记录缺签名")}
    inspection = onsite.inspection_record(
        inspection=inspection,
        by=bureau,
        held_on=dt.date(2026, 6, 2),
        findings=findings,
        result="rectify",
        requirements="补齐签名",
        deadline=DEADLINE,
    )
    return inspection.rectification


@pytest.fixture
def officer(client, officer1):
    client.force_login(officer1)
    return client


def pages(client, rectification) -> tuple[str, str]:
    """The officer's supervision index and the rectification page, tags stripped."""
    strip = lambda html: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))  # noqa: E731
    index = client.get(reverse("supervision:index")).content.decode()
    detail = client.get(reverse("supervision:rectification_detail", args=[rectification.pk])).content.decode()
    return strip(index), strip(detail)


def answer(rectification, on: dt.date):
    return onsite.rectification_answer(rectification=rectification, by=None, answer="已补齐签名", answered_on=on)


def test_a_report_filed_in_time_and_not_yet_checked_is_not_overdue(officer, rectification, freeze):
    """I1: answered before the deadline, unchecked after it: the station waits for staff, nothing says 已逾期,
    the report form is not offered again (only a folded supplement), and staff see it as theirs to check."""
    answer(rectification, dt.date(2026, 6, 20))
    freeze("2026-07-10 10:00:00+08:00")
    index, detail = pages(officer, rectification)
    for text in (index, detail):
        assert "本单位已于2026年06月20日报送整改报告（按期），等待市局验收" in text
        assert "逾期" not in text
    raw = officer.get(reverse("supervision:rectification_detail", args=[rectification.pk])).content.decode()
    assert "报送整改报告</button>" not in raw and 'id="rectification-supplement"' in raw
    assert list(selectors.rectifications_overdue(dt.date(2026, 7, 10))) == []
    assert list(selectors.rectifications_awaiting_review()) == [rectification]
    rectification.refresh_from_db()
    assert not rectification.is_overdue_on(dt.date(2026, 7, 10))


def test_a_report_filed_late_says_how_late_and_that_staff_are_next(officer, rectification, freeze):
    """I1: filed three days after the deadline: the lateness is kept, and the wait is now staff's."""
    answer(rectification, dt.date(2026, 7, 5))
    freeze("2026-07-10 10:00:00+08:00")
    _, detail = pages(officer, rectification)
    assert "本单位已于2026年07月05日报送整改报告（晚于期限3天），等待市局验收" in detail


def test_an_unanswered_notice_says_the_bureau_waits_for_the_station(officer, officer1, rectification, freeze):
    """I1: before the deadline the days left; after it the days overdue; the form is offered either way."""
    freeze("2026-06-30 10:00:00+08:00")
    _, detail = pages(officer, rectification)
    assert "等待本单位整改：请于2026年07月02日前报送整改报告（还剩2天）" in detail
    freeze("2026-07-05 10:00:00+08:00")
    officer.force_login(officer1)  # five days later: a new session
    index, detail = pages(officer, rectification)
    assert "已逾期3天：市局等待本单位报送整改报告" in index and "已逾期3天：市局等待本单位报送整改报告" in detail
    raw = officer.get(reverse("supervision:rectification_detail", args=[rectification.pk])).content.decode()
    assert "报送整改报告</button>" in raw
    assert list(selectors.rectifications_overdue(dt.date(2026, 7, 5))) == [rectification]


def test_a_closed_notice_says_who_closed_it_and_offers_no_form(officer, rectification, bureau, freeze):
    """I1: accepted by staff: nothing is owed by anyone."""
    answer(rectification, dt.date(2026, 6, 20))
    onsite.rectification_close(rectification=rectification, by=bureau, closed_on=dt.date(2026, 6, 25), note="整改到位")
    freeze("2026-07-10 10:00:00+08:00")
    _, detail = pages(officer, rectification)
    assert "市局已于2026年06月25日验收关闭" in detail and "补充整改报告" not in detail and "逾期" not in detail


def test_the_supervision_page_title_is_plain_text(officer, rectification):
    """The page's <title> is its name, not the history table."""
    html = officer.get(reverse("supervision:index")).content.decode()
    assert re.search(r"<title>\s*监督检查\s*</title>", html)
    assert "最近记录" in html.split("</head>")[1]
