"""The monitoring pages: access by role, what they show, query counts that do not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import runs, services
from monitoring.enums import AlertStatus, Indicator, Scope
from monitoring.models import Alert, AlertEvent, IndicatorSetting
from monitoring.selectors import statistics_refresh
from onboarding.models import ReviewCadence
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db


def _alerts(n: int, **credit) -> list[Alert]:
    """One new-litigation alert per customer by default (86.3 → 85.1 points, still tier A)."""
    customers = [admitted_customer() for _ in range(n)]
    for customer in customers:
        set_credit(customer, **(credit or {"litigation_count": 2}))
    run = runs.plan_run(scope=Scope.DUE)
    runs.work(run_id=run.pk, budget=60)
    return list(Alert.objects.filter(customer__in=customers).order_by("pk"))


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


PAGES = ["monitoring:dashboard", "monitoring:alert_list", "monitoring:run_list"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(("who", "status"), [("rosa", 200), ("adam", 200), ("alice", 403), ("ivan", 403),
                                             ("nora", 403)])
def test_pages_access_by_role(client, people, name, who, status):
    client.force_login(people[who])
    assert client.get(reverse(name)).status_code == status


def test_pages_redirect_anonymous_to_login(client, db):
    response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_dashboard_shows_counts_charts_runs_and_health(client, people):
    _alerts(2)
    statistics_refresh()
    client.force_login(people["rosa"])
    response = client.get(reverse("monitoring:dashboard"))
    html = response.content.decode()
    board = response.context["board"]
    medium = next(row for row in board.tallies if row["severity"] == "medium")
    assert dict(medium["counts"]) == {"open": 2, "acknowledged": 0, "resolved": 0, "escalated": 0}
    assert board.totals == {"open": 2, "acknowledged": 0, "resolved": 0, "escalated": 0}
    assert 'id="weeks-chart" data-chart=' in html
    assert 'id="tiers-chart" data-chart=' in html
    assert board.statistic.data["tiers"] == {"A": 2}
    assert 'id="job-health"' in html
    assert len(board.runs) == 1
    assert "<script>" not in html  # no inline script (CSP)


def test_dashboard_query_count_does_not_grow_with_alerts(client, people):
    client.force_login(people["rosa"])
    _alerts(1)
    statistics_refresh()
    one = _queries(client, reverse("monitoring:dashboard"))
    _alerts(6)
    statistics_refresh()
    assert _queries(client, reverse("monitoring:dashboard")) == one


def test_alert_list_query_count_does_not_grow_with_rows(client, people):
    client.force_login(people["rosa"])
    _alerts(1)
    url = reverse("monitoring:alert_list") + "?status=active"
    one = _queries(client, url)
    _alerts(8)
    assert _queries(client, url) == one


def test_alert_list_filters_and_pages_by_id(client, people):
    alerts = _alerts(3)
    client.force_login(people["rosa"])
    other = _alerts(1, bureau_score=640)
    response = client.get(reverse("monitoring:alert_list"), {"indicator": Indicator.NEW_LITIGATION})
    shown = [a.pk for a in response.context["page"].alerts]
    assert shown == sorted((a.pk for a in alerts), reverse=True)
    response = client.get(reverse("monitoring:alert_list"), {"indicator": Indicator.BUREAU_DROP})
    assert [a.pk for a in response.context["page"].alerts] == [a.pk for a in other if a.indicator == "bureau_drop"]
    page = client.get(reverse("monitoring:alert_list")).context["page"]
    assert page.older is None and page.newer is None
    from monitoring.selectors import alert_page, alerts_filtered

    everything = sorted(Alert.objects.values_list("pk", flat=True), reverse=True)
    first = alert_page(alerts_filtered(), size=2)
    second = alert_page(alerts_filtered(), after=first.older, size=2)
    assert [a.pk for a in first.alerts] == everything[:2]
    assert [a.pk for a in second.alerts] == everything[2:4]
    assert first.newer is None and second.newer == everything[2]
    back = alert_page(alerts_filtered(), before=second.newer, size=2)
    assert [a.pk for a in back.alerts] == everything[:2]
    assert back.newer is None


def test_alert_list_filter_by_tier_and_assignee(client, people):
    alerts = _alerts(2)
    services.alert_acknowledge(alert_id=alerts[0].pk, actor=people["rosa"], assignee=people["rick"])
    client.force_login(people["rosa"])
    page = client.get(reverse("monitoring:alert_list"), {"assignee": people["rick"].pk}).context["page"]
    assert [a.pk for a in page.alerts] == [alerts[0].pk]
    page = client.get(reverse("monitoring:alert_list"), {"tier": "B"}).context["page"]
    assert page.alerts == []


def test_alert_page_shows_evidence_and_both_evaluations(client, people):
    alert = _alerts(1, bureau_score=450).pop(0)
    client.force_login(people["rosa"])
    response = client.get(reverse("monitoring:alert_detail", args=[alert.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["previous"].pk == alert.previous_evaluation_id
    assert response.context["current"].pk == alert.evaluation_id
    bureau = next(row for row in response.context["comparison"] if row.metric == "bureau_score")
    assert (bureau.previous_points, bureau.current_points, bureau.change) == (85, 0, -85)
    assert 'id="acknowledge-form"' in html and 'id="escalate-form"' in html


@pytest.mark.parametrize(("who", "status"), [("adam", 200), ("alice", 403), ("nora", 403)])
def test_alert_page_access(client, people, who, status):
    alert = _alerts(1)[0]
    client.force_login(people[who])
    assert client.get(reverse("monitoring:alert_detail", args=[alert.pk])).status_code == status


def test_admin_reads_but_does_not_see_actions(client, people):
    alert = _alerts(1)[0]
    client.force_login(people["adam"])
    html = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert 'id="acknowledge-form"' not in html


def test_acknowledge_view_assigns_and_records_an_event(client, people):
    alert = _alerts(1)[0]
    client.force_login(people["rosa"])
    response = client.post(reverse("monitoring:alert_acknowledge", args=[alert.pk]), {"assignee": people["rick"].pk})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.assignee, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, people["rick"], people["rosa"])
    assert AlertEvent.objects.get(alert=alert).action == AlertEvent.Action.ACKNOWLEDGED


@pytest.mark.parametrize("who", ["adam", "alice", "ivan", "nora"])
@pytest.mark.parametrize("action", ["alert_acknowledge", "alert_resolve", "alert_escalate"])
def test_actions_refused_to_everyone_but_risk_managers(client, people, who, action):
    alert = _alerts(1)[0]
    client.force_login(people[who])
    response = client.post(reverse(f"monitoring:{action}", args=[alert.pk]), {"note": "x"})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_actions_are_post_only(client, people):
    alert = _alerts(1)[0]
    client.force_login(people["rosa"])
    assert client.get(reverse("monitoring:alert_resolve", args=[alert.pk])).status_code == 405


def test_resolve_without_note_is_a_message_not_an_error(client, people):
    alert = _alerts(1)[0]
    client.force_login(people["rosa"])
    response = client.post(reverse("monitoring:alert_resolve", args=[alert.pk]), {"note": " "}, follow=True)
    assert "Please say how the alert was resolved." in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_bulk_acknowledge_acknowledges_the_selected_open_alerts(client, people):
    alerts = _alerts(3)
    services.alert_resolve(alert_id=alerts[2].pk, actor=people["rosa"], note="fine")
    client.force_login(people["rosa"])
    response = client.post(reverse("monitoring:alerts_acknowledge"), {
        "alerts": [a.pk for a in alerts], "assignee": "", "next": "/monitoring/alerts/?status=active",
    })
    assert response.status_code == 302
    assert response["Location"] == "/monitoring/alerts/?status=active"
    statuses = [Alert.objects.get(pk=a.pk).status for a in alerts]
    assert statuses == [AlertStatus.ACKNOWLEDGED, AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED]
    assert Alert.objects.get(pk=alerts[0].pk).assignee == people["rosa"]


def test_bulk_acknowledge_refused_to_wrong_role(client, people):
    alerts = _alerts(1)
    client.force_login(people["alice"])
    assert client.post(reverse("monitoring:alerts_acknowledge"), {"alerts": [alerts[0].pk]}).status_code == 403


def test_settings_saves_cadence_and_indicators(client, people):
    client.force_login(people["rosa"])
    page = client.get(reverse("monitoring:settings"))
    assert page.status_code == 200
    data = {f"months_{tier}": months for tier, months in {"A": 12, "B": 6, "C": 2, "D": 1}.items()}
    indicators = page.context["indicators"]
    n = len(indicators.forms)  # one form per indicator
    data.update({"ind-TOTAL_FORMS": n, "ind-INITIAL_FORMS": n, "ind-MIN_NUM_FORMS": n, "ind-MAX_NUM_FORMS": n})
    for i, form in enumerate(indicators.forms):
        initial = form.initial
        data[f"ind-{i}-indicator"] = initial["indicator"]
        data[f"ind-{i}-enabled"] = "on"
        data[f"ind-{i}-threshold"] = "" if initial["threshold"] is None else initial["threshold"]
        data[f"ind-{i}-severity"] = initial["severity"]
    data["ind-2-threshold"] = "15"  # score_drop
    data["ind-7-enabled"] = ""  # stale_financials off
    response = client.post(reverse("monitoring:settings"), data)
    assert response.status_code == 302
    assert ReviewCadence.objects.get(tier="C").months == 2
    assert IndicatorSetting.objects.get(indicator=Indicator.SCORE_DROP).threshold == 15
    assert IndicatorSetting.objects.get(indicator=Indicator.STALE_FINANCIALS).enabled is False


@pytest.mark.parametrize("who", ["adam", "alice", "nora"])
def test_settings_refused_to_others(client, people, who):
    client.force_login(people[who])
    assert client.get(reverse("monitoring:settings")).status_code == 403


def test_health_endpoint_answers_without_login(client, db):
    response = client.get(reverse("monitoring:health"))
    assert response.status_code in (200, 503)
    assert response.json()["status"] in ("ok", "degraded")


def test_reevaluate_button_starts_a_run_for_one_customer(client, people):
    customer = admitted_customer()
    client.force_login(people["rosa"])
    response = client.post(reverse("monitoring:reevaluate"), {"customer": customer.pk})
    assert response.status_code == 302
    from monitoring.models import RunItem

    assert RunItem.objects.filter(customer=customer).count() == 1


def test_nav_has_risk_dashboard_for_risk_managers_only(client, people):
    client.force_login(people["rosa"])
    assert reverse("monitoring:dashboard") in client.get(reverse("monitoring:alert_list")).content.decode()
    client.force_login(people["alice"])
    assert reverse("monitoring:dashboard") not in client.get("/").content.decode()


def test_customer_alerts_panel_for_monitoring_staff_and_the_sales_owner(rf, people):
    from django.template import Context, Template

    alert = _alerts(1)[0]
    customer = alert.customer
    template = Template("{% load monitoring_tags %}{% customer_alerts_panel customer %}")
    for user, visible in ((people["rosa"], True), (customer.sales_owner, True), (people["alice"], False),
                          (people["nora"], False)):
        html = template.render(Context({"user": user, "customer": customer}))
        assert (f'data-alert="{alert.pk}"' in html) is visible
    html = template.render(Context({"user": customer.sales_owner, "customer": customer}))
    assert reverse("monitoring:alert_detail", args=[alert.pk]) not in html  # the owner cannot open the page
