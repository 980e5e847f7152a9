"""The monitoring pages and messages in Chinese for a user who chose it."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from monitoring import runs
from monitoring.enums import Scope
from monitoring.models import Alert
from tests.factories import user_with
from tests.monitoring.factories import admitted_customer, set_credit

pytestmark = pytest.mark.django_db


def test_dashboard_and_alert_page_in_chinese(client):
    customer = admitted_customer()
    set_credit(customer, bureau_score=660)
    runs.work(run_id=runs.plan_run(scope=Scope.DUE).pk, budget=60)
    client.force_login(user_with(Role.RISK_MANAGER, username="wumin", language="zh-hans"))
    html = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "风险预警看板" in html
    assert "后台任务系统" in html
    assert "待处理" in html
    alert = Alert.objects.get(customer=customer, indicator="bureau_drop")
    html = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert "征信评分从 720 降至 660。" in html
    assert "上一次与本次评估对比" in html
