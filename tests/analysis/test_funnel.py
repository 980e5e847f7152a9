"""The admission funnel on a hand-built history: real transitions, then deterministic times."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from analysis.funnel import funnel, quantile
from approvals.models import Round, Vote
from approvals.services import vote_cast
from onboarding.enums import State
from onboarding.models import Application, StateChange
from tests.factories import ApplicationFactory, advance

pytestmark = pytest.mark.django_db
ZONE = timezone.get_current_timezone()
NOW = datetime.datetime(2026, 4, 10, 12, tzinfo=ZONE)
PERIOD = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 3, 31)}


def at(month: int, day: int, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=ZONE)


def retime(application, *times, submitted=None, decided=None) -> None:
    changes = list(StateChange.objects.filter(application=application).order_by("created_at", "pk"))
    assert len(changes) == len(times), [(c.from_state, c.to_state) for c in changes]
    for change, moment in zip(changes, times, strict=True):
        StateChange.objects.filter(pk=change.pk).update(created_at=moment)
    Application.objects.filter(pk=application.pk).update(submitted_at=submitted or times[0], decided_at=decided)


def approve_in_committee(application, people) -> None:
    round_ = Round.objects.get(application=application, closed_at__isnull=True)
    for who, department in (("fay", "finance"), ("leo", "legal"), ("bea", "business")):
        if Application.objects.get(pk=application.pk).state != State.COMMITTEE_REVIEW:
            break
        vote_cast(application_id=application.pk, round_id=round_.pk, voter=people[who], department=department,
                  decision="approve")


@pytest.fixture
def history(people):
    def new(owner="alice"):
        return ApplicationFactory(created_by=people[owner])

    staff = {"reviewer": people["rita"], "investigator": people["ivan"]}
    a1 = advance(new(), State.COMMITTEE_REVIEW, **staff)
    approve_in_committee(a1, people)
    retime(a1, at(1, 5), at(1, 7), at(1, 10), at(1, 12), decided=at(1, 12))
    Vote.objects.filter(round__application=a1).update(created_at=at(1, 11))
    a2 = advance(new(), State.RETURNED, **staff)
    retime(a2, at(2, 1), at(2, 5))
    a3 = advance(new(), State.REJECTED, **staff)
    retime(a3, at(3, 1), at(3, 2), decided=at(3, 2))
    a4 = advance(new(), State.BACKGROUND_CHECK, **staff)
    retime(a4, at(3, 10), at(3, 11))
    a5 = advance(new("bob"), State.BACKGROUND_CHECK, **staff)  # entered document review before the period
    retime(a5, at(12, 20, 2025), at(1, 2))
    return a1, a2, a3, a4, a5


def _stages(result):
    return {r.stage: (r.entered, r.moved_on, r.conversion, r.returned, r.rejected, r.still_there, r.median_days,
                      r.p90_days, r.missed) for r in result.stages}


def test_counts_durations_and_deadlines(history, people):
    result = funnel(people["rosa"], PERIOD, now=NOW)
    assert result.applications == 5
    assert _stages(result) == {
        # entered, moved on, conversion %, returned, rejected, still there, median, p90, deadlines missed
        "document_review": (4, 2, 50.0, 1, 1, 0, 1.5, 3.4, 1),
        "background_check": (3, 1, 33.3, 0, 0, 2, 3.0, 3.0, 2),
        "committee_review": (1, 1, 100.0, 0, 0, 0, 2.0, 2.0, 0),
        "returned": (1, 0, 0.0, 0, 0, 1, None, None, 1),
    }
    assert [(r.key, r.counts) for r in result.by_department] == [
        ("finance", {"approve": 1}), ("legal", {"approve": 1}),  # the majority settled it with legal's veto in
    ]
    assert [(r.key, r.rate("approve")) for r in result.by_tier] == [("A", 100.0)]
    assert (result.decided, result.decision_median_days, result.decision_p90_days) == (2, 4.0, 6.4)


def test_filters_and_sales_see_only_their_own(history, people):
    bobs = funnel(people["bob"], PERIOD, now=NOW)
    assert bobs.applications == 1
    assert _stages(bobs)["background_check"][:2] == (1, 0)
    assert _stages(bobs)["document_review"][0] == 0
    # A sales owner filter chosen by sales is ignored: their own stay their own.
    assert funnel(people["bob"], {**PERIOD, "sales_owner": people["alice"]}, now=NOW).applications == 1
    assert funnel(people["rosa"], {**PERIOD, "sales_owner": people["alice"]}, now=NOW).applications == 4
    assert funnel(people["rosa"], {**PERIOD, "kind": "review"}, now=NOW).applications == 0
    narrow = funnel(people["rosa"], {"start": datetime.date(2026, 3, 1), "end": datetime.date(2026, 3, 31)}, now=NOW)
    assert _stages(narrow)["document_review"][:2] == (2, 1)  # a3 and a4


def test_quantile_matches_a_sorted_list_by_hand():
    assert quantile([4.0, 1.0, 2.0, 1.0], 0.5) == 1.5
    assert quantile([4.0, 1.0, 2.0, 1.0], 0.9) == pytest.approx(3.4)
    assert quantile([7.0], 0.9) == 7.0
    assert quantile([], 0.5) is None


@pytest.mark.parametrize(("who", "status"), [("rosa", 200), ("fay", 200), ("alice", 200), ("rita", 403),
                                             ("nora", 403)])
def test_who_sees_the_funnel(client, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("analysis:funnel")).status_code == status


def test_the_page_and_its_downloads(client, history, people):
    client.force_login(people["rosa"])
    url = reverse("analysis:funnel") + "?start=2026-01-01&end=2026-03-31"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="stages-chart" data-chart=' in text and "<script>" not in text
    rows = list(csv.reader(io.StringIO(client.get(url + "&download=stages&format=csv").content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Stage", "Entered", "Moved on", "Conversion %"]
    # (the period is computed from "now" on the page; only the durations of finished stays are fixed)
    assert rows[1][:7] == ["Document review", "4", "2", "50.0", "1", "1", "0"]
    assert rows[1][8:10] == ["1.5", "3.4"]
    response = client.get(url + "&download=departments&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="funnel-departments.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["Department", "Approve", "Approve %"]
    assert values[1][:3] == ["Finance", 1, 100]
    assert client.get(url + "&download=nothing&format=csv").status_code == 404


def test_sales_page_hides_the_owner_filter(client, history, people):
    client.force_login(people["bob"])
    text = client.get(reverse("analysis:funnel") + "?start=2026-01-01&end=2026-03-31").content.decode()
    assert 'id="own-only"' in text and 'name="sales_owner"' not in text


def test_the_page_reads_in_chinese(client, history, people):
    client.force_login(people["rosa"])
    text = client.get(reverse("analysis:funnel") + "?start=2026-01-01&end=2026-03-31",
                      headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "准入漏斗" in text and "5 个申请进入了某一阶段" in text and "中位数 4.0 天" in text


def _everything(result):
    return (result.applications, _stages(result), [(r.stage, r.withdrawn, r.deadline_days) for r in result.stages],
            [(r.key, r.counts) for r in result.by_department], [(r.key, r.counts) for r in result.by_tier],
            result.decided, result.decision_median_days, result.decision_p90_days)


def test_the_summary_gives_the_raw_walks_figures_on_a_random_history(people):
    """Bulk-made histories (as the benchmark makes them), every filter the page has: summary == raw walk."""
    import random

    from analysis.funnel import funnel_raw
    from analysis.models import FunnelMark, FunnelStay

    rng = random.Random(13)
    paths = [["document_review", "background_check", "committee_review", "approved"],
             ["document_review", "returned", "document_review", "background_check", "committee_review", "rejected"],
             ["document_review", "rejected"], ["document_review", "background_check", "withdrawn"],
             ["document_review", "background_check"], ["document_review", "returned"]]
    changes = []
    for n in range(60):
        application = ApplicationFactory(created_by=people["alice" if n % 3 else "bob"],
                                         kind="review" if n % 7 == 0 else "new")
        moment = at(1, 1) + datetime.timedelta(hours=rng.randint(-400, 2400))
        previous = "draft"
        for state in rng.choice(paths):
            changes.append(StateChange(application=application, transition="test", from_state=previous,
                                       to_state=state, created_at=moment))
            previous, moment = state, moment + datetime.timedelta(hours=rng.randint(3, 500), minutes=rng.randint(0, 59))
    StateChange.objects.bulk_create(changes)
    cases = [(people["rosa"], PERIOD), (people["bob"], PERIOD), (people["rosa"], {**PERIOD, "kind": "review"}),
             (people["rosa"], {**PERIOD, "sales_owner": people["alice"]}),
             (people["fay"], {"start": datetime.date(2026, 2, 1), "end": datetime.date(2026, 2, 28)})]
    for user, filters in cases:
        assert _everything(funnel(user, filters, now=NOW)) == _everything(funnel_raw(user, filters, now=NOW))
    assert FunnelStay.objects.count() == sum(1 for c in changes if c.to_state in ("document_review",
                                             "background_check", "committee_review", "returned"))
    assert FunnelMark.objects.get(pk=1).last_change_id == StateChange.objects.order_by("-pk").first().pk
    # One more change is picked up by the next read (incremental: only that application is rebuilt).
    last = changes[-1]
    StateChange.objects.create(application=last.application, transition="test", from_state=last.to_state,
                               to_state="withdrawn", created_at=last.created_at + datetime.timedelta(days=1))
    assert _everything(funnel(people["rosa"], PERIOD, now=NOW)) == _everything(funnel_raw(people["rosa"], PERIOD,
                                                                                          now=NOW))


def test_refresh_rebuilds_only_the_applications_with_new_changes(history, people):
    from analysis.funnel import stays_refresh

    assert stays_refresh() == 5  # the first read of a fresh summary builds everything
    assert stays_refresh() == 0  # nothing new: one query, nothing rebuilt
    from analysis.models import FunnelStay

    a4 = history[3]
    StateChange.objects.create(application=a4, transition="test", from_state="background_check",
                               to_state="committee_review", created_at=at(3, 14))
    assert stays_refresh() == 1
    assert list(FunnelStay.objects.filter(application=a4).order_by("entered_at")
                .values_list("stage", "went_to", "days", "moved_on")) == [
        ("document_review", "background_check", 1.0, True), ("background_check", "committee_review", 3.0, True),
        ("committee_review", "", None, False)]


def test_a_recent_change_keeps_the_mark_below_it_until_it_settles(history, people):
    """A change with a lower id may commit after a higher one: recent changes are re-read until settled."""
    from django.core.management import call_command

    from analysis.funnel import stays_refresh
    from analysis.models import FunnelMark, FunnelStay

    assert stays_refresh() == 5
    settled = FunnelMark.objects.get(pk=1).last_change_id
    recent = StateChange.objects.create(application=history[3], transition="test", from_state="background_check",
                                        to_state="committee_review")  # created now: not settled
    assert stays_refresh() == 1
    assert FunnelMark.objects.get(pk=1).last_change_id == recent.pk - 1 == settled
    assert stays_refresh() == 1  # read again until it is older than SETTLE_SECONDS
    StateChange.objects.filter(pk=recent.pk).update(created_at=at(3, 14))
    assert stays_refresh() == 1 and stays_refresh() == 0
    FunnelStay.objects.all().delete()
    call_command("funnel_refresh", "--all")
    assert FunnelStay.objects.count() == 11
