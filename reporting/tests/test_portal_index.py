"""The officer's 计划与报表 page asks only for what is due from them (DOMAIN P1, M6, M8).

Issue 12: the annual-plan button stayed after the plan was submitted and led to 不能修改; quarterly analyses were
asked for quarters before the station was authorized.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from reporting.selectors.reports import quarterly_board, recent_quarters
from reporting.services import plans as plan_services
from reporting.services import reports as services
from zzmetro.errors import DomainError

from .factories import authorize

pytestmark = pytest.mark.django_db


def page_text(client) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(reverse("reporting:index")).content.decode()))


def test_quarters_before_the_station_was_authorized_are_not_asked_for(client, officer1, freeze):
    """M6, M8: authorized from 1 May 2026, the station is asked for Q2 and Q3 of 2026 only."""
    freeze("2026-11-10 10:00:00+08:00")
    authorize(officer1.station, valid_from=dt.date(2026, 5, 1))
    assert [(q["year"], q["quarter"]) for q in recent_quarters(officer1, as_of=dt.date(2026, 11, 10))] == [
        (2026, 3),
        (2026, 2),
    ]
    client.force_login(officer1)
    text = page_text(client)
    assert "2026年第3季度" in text and "2026年第2季度" in text
    assert "2026年第1季度" not in text and "2025年第4季度" not in text
    assert officer1.station.pk not in {row.station.pk for row in quarterly_board(2026, 1)}


def test_an_analysis_for_a_quarter_without_authorization_is_refused_with_the_reason(client, officer1, freeze):
    """M6, M8: asking for it by address says why it is not due, and the service refuses to create it."""
    freeze("2026-11-10 10:00:00+08:00")
    authorize(officer1.station, valid_from=dt.date(2026, 5, 1))
    with pytest.raises(DomainError, match="2026年第1季度未获计量授权"):
        services.quarterly_save_narrative(station=officer1.station, year=2026, quarter=1, narrative="说明", by=officer1)
    client.force_login(officer1)
    page = client.get(reverse("reporting:quarterly_period", args=[2026, 1])).content.decode()
    assert "无需报送该季度统计分析" in page and "保存分析说明" not in page


def plan_action(client) -> str:
    return re.sub(
        r"\s+",
        " ",
        re.sub(
            r"<[^>]+>",
            " ",
            client.get(reverse("reporting:index")).content.decode().split('id="next-plan"')[1].split("</p>")[0],
        ),
    )


def test_the_plan_button_follows_the_plan_through_submission(client, officer1, bureau, freeze):
    """P1: compile → continue the draft → submitted (no edit button, says who is waiting) → returned → amend."""
    freeze("2026-11-10 10:00:00+08:00")
    authorize(officer1.station)
    client.force_login(officer1)
    edit_url = reverse("reporting:plan_edit", args=[2027])
    assert (
        "编制2027年度计划" in plan_action(client)
        and edit_url in client.get(reverse("reporting:index")).content.decode()
    )

    item = plan_services.plannable_items(officer1.station)[0]
    plan = plan_services.plan_save(
        station=officer1.station, year=2027, lines=[plan_services.PlanLineInput(item, 50)], by=officer1
    )
    assert "继续编制2027年度计划" in plan_action(client)

    plan = plan_services.plan_submit(plan=plan, by=officer1)
    action = plan_action(client)
    assert "编制" not in action and "等待市局审核" in action and "已提交，待审核" in action
    assert edit_url not in client.get(reverse("reporting:index")).content.decode()
    assert reverse("reporting:plan_detail", args=[plan.pk]) in client.get(reverse("reporting:index")).content.decode()

    plan_services.plan_return(plan=plan, by=bureau, reason="数量偏低")
    assert "修改2027年度计划（已退回）" in plan_action(client)
