"""A walk over the main pages in 简体中文 on the demo data: shared words read in their own sense.

Words such as "Previous" or "Score" mean different things on different pages; each use has
its own context (pgettext), so the alert page's "previous evaluation" header is not "上一页"
(previous page) and the customer page's scorecard score is not "相似度" (name-match similarity).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from monitoring.models import Alert
from onboarding.models import Application, Customer
from screening import services as screening_services
from screening.selectors import published_version

PAGE_LINK = re.compile(r'class="page-link"[^>]*>\s*上一页\s*<')


@pytest.fixture
def demo(settings, db):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    screening_services.scorecard_copy(version=published_version(), actor=User.objects.get(username="risk2"))


def _get(client, username: str, url: str) -> str:
    user = User.objects.get(username=username)
    assert user.language == "zh-hans"
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _walk(client) -> dict[str, str]:
    in_committee = Application.objects.get(state="committee_review")
    in_background = Application.objects.get(state="background_check")
    in_review = Application.objects.filter(state="document_review").first()
    customer = Customer.objects.filter(evaluations__isnull=False).first() or Customer.objects.first()
    alert = Alert.objects.filter(previous_evaluation__isnull=False).first() or Alert.objects.first()
    owner = in_review.created_by.username
    return {
        "my applications": _get(client, owner, reverse("onboarding:my_applications")),
        "application": _get(client, owner, reverse("onboarding:application_detail", args=[in_review.pk])),
        "queue": _get(client, "risk1", reverse("onboarding:queue")),
        "document review": _get(client, "risk1", reverse("onboarding:document_review", args=[in_review.pk])),
        "background check": _get(client, "risk1", reverse("screening:application_screen", args=[in_background.pk])),
        "committee": _get(client, "risk1", reverse("approvals:review", args=[in_committee.pk])),
        "committee queue": _get(client, "risk1", reverse("approvals:queue")),
        "customers": _get(client, "risk1", reverse("approvals:customer_list")),
        "customer": _get(client, "risk1", reverse("approvals:customer_detail", args=[customer.pk])),
        "dashboard": _get(client, "risk1", reverse("monitoring:dashboard")),
        "alerts": _get(client, "risk1", reverse("monitoring:alert_list")),
        "alert": _get(client, "risk1", reverse("monitoring:alert_detail", args=[alert.pk])),
        "runs": _get(client, "risk1", reverse("monitoring:run_list")),
        "scorecards": _get(client, "risk1", reverse("screening:scorecard_list")),
        "audit": _get(client, "risk1", reverse("onboarding:application_audit", args=[in_committee.pk])),
        "notifications": _get(client, "risk1", reverse("notification_list")),
        "watchlist search": _get(client, "risk1", reverse("watchlists:search") + "?q=Acme"),
    }


def test_shared_words_read_in_their_own_sense_on_the_chinese_pages(client, demo):
    pages = _walk(client)

    # "上一页" (previous page) only ever labels a pagination link.
    for name, html in pages.items():
        assert html.count("上一页") == len(PAGE_LINK.findall(html)), name
    # The alert page compares the previous evaluation with the current one.
    assert "上一次评估" in pages["alert"]
    # "相似度" (similarity) is the name-match score of the watchlists, nowhere else.
    for name, html in pages.items():
        if name not in {"watchlist search", "background check"}:
            assert "相似度" not in html, name
    assert "得分" in pages["customer"]
    # No English leaks through a shared word either.
    for name, html in pages.items():
        for english in (">Previous<", ">Score<", ">Record<", ">Open<", ">Opened<", ">Pending<"):
            assert english not in html, (name, english)
