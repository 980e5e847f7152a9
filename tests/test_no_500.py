"""No input makes a 500: every page of the URL map, as every role, with control characters and bad ids.

The URL map is walked from ``config.urls`` (so a new page is covered without editing this
file; a page with an id nobody here knows how to fill fails the test until it is added to
``ID_SOURCES``). On a fully built pipeline (the demo data: applications in every open state,
customers, a committee round, alerts, runs; plus a scorecard draft, a site-visit photo, a
third-party report and a comment), each role GETs each page, reads the forms on it, then:

- GETs the page again with every query-string name it knows set to a bad value;
- POSTs every bad value into every field (pass "all"), and the page's real forms with only
  their text fields bad and the rest as the page rendered them (pass "text"), so the bad
  text reaches the form's validation rather than failing on a missing hidden field.

Bad values: NUL (PostgreSQL refuses it in text), another C0 control character, a character
that ``str.isdigit()`` accepts and ``int()`` refuses, a number beyond a 64-bit id, and a finite
decimal whose ``int()`` exhausts memory.
Every failure is collected and reported together.
"""

from __future__ import annotations

import time
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Notification, User
from analysis.models import Case
from api import services as api_services
from api.models import ApiClient, WebhookDelivery, WebhookEvent, WebhookSubscription
from approvals.models import Round
from monitoring.models import Alert, JobRun
from onboarding import comments
from onboarding.models import Application, Customer, CustomerCondition, Document
from outcomes import services as outcome_services
from outcomes.models import ReceivablesImport
from screening import services as screening_services
from screening.models import Criterion, ScorecardVersion, SiteVisit, SiteVisitPhoto, ThirdPartyReport
from screening.selectors import published_version
from tests.factories import PNG_BYTES, pdf_upload
from training import services as training_services
from training.models import Briefing, BriefingReceipt, Course, Waiver
from watchlists import services as watchlist_services
from watchlists.models import ImportJob, ScreeningHit, WatchlistSource

BAD_TEXT = {"nul": "x\x00y", "control": "x\x07y"}
BAD_IDS = {"superscript digit": "²", "beyond 64 bits": "9" * 25, "huge exponent": "1e999999999999"}
BAD = {**BAD_TEXT, **BAD_IDS}

# Query-string names views read directly, besides those of the forms found on the pages.
QUERY_NAMES = ["q", "page", "after", "before", "kind", "exclude", "credit_code", "source", "download", "next",
               "language", "customer", "round", "alerts", "assignee", "e", "o", "p", "_changelist_filters"]

PROJECT_APPS = {"accounts", "onboarding", "watchlists", "screening", "approvals", "monitoring"}
ROLES = ["sales1", "reviewer1", "investigator1", "finance1", "legal1", "business1", "risk1", "admin"]


# The applications each role works on (the whole pipeline is covered across the roles); every
# role also gets the one in committee review, to go through the refusals of the pages not theirs.
ROLE_STATES = {
    "sales1": ["draft", "returned", "committee_review"], "reviewer1": ["document_review", "committee_review"],
    "investigator1": ["background_check", "committee_review"], "finance1": ["committee_review"],
    "legal1": ["committee_review"], "business1": ["committee_review"],
    "risk1": ["approved", "background_check", "committee_review"], "admin": ["committee_review"],
}


def _applications(user: User) -> list[int]:
    ids = []
    for state in ROLE_STATES[user.username]:
        mine = Application.objects.filter(state=state).order_by("-pk")
        pk = (mine.filter(created_by=user).first() or mine.first()).pk
        ids.append(pk)
    return ids


def _first(model, **filters) -> list[int]:
    pk = model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    return [pk] if pk else []


# The literal path segment before ``<int:pk>`` names what the id is.
ID_SOURCES = {
    "applications": _applications,
    "documents": lambda user: _first(Document, is_current=True, application__state="document_review"),
    "notifications": lambda user: _first(Notification, recipient=user) or _first(Notification),
    "site-visits": lambda user: _first(SiteVisit, application__state="background_check"),
    "photos": lambda user: _first(SiteVisitPhoto),
    "reports": lambda user: _first(ThirdPartyReport),
    "scorecards": lambda user: _first(ScorecardVersion, status="draft") + _first(ScorecardVersion, status="published"),
    "criteria": lambda user: _first(Criterion, version__status="draft"),
    "hits": lambda user: _first(ScreeningHit),
    "customers": lambda user: _first(Customer),
    "conditions": lambda user: _first(CustomerCondition),
    "alerts": lambda user: _first(Alert, status="open"),
    "runs": lambda user: _first(JobRun),
    "imports": lambda user: _first(ImportJob),
    "clients": lambda user: _first(ApiClient),
    "subscriptions": lambda user: _first(WebhookSubscription),
    "deliveries": lambda user: _first(WebhookDelivery),
    "courses": lambda user: _first(Course),
    "briefings": lambda user: list(BriefingReceipt.objects.filter(user=user).values_list("briefing_id", flat=True)[:1])
    or _first(Briefing),
    "waivers": lambda user: _first(Waiver),
    "minutes": lambda user: _first(Round, closed_at__isnull=False),
    "receivables": lambda user: _first(ReceivablesImport),
    "cases": lambda user: _first(Case),
    "sources": lambda user: _first(WatchlistSource),
}


class _Forms(HTMLParser):
    """The forms of a page: action, method and fields (name, kind, value as rendered)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("hx-post") or attrs.get("action") or ""
            method = "post" if attrs.get("hx-post") else (attrs.get("method") or "get").lower()
            self._form = {"action": action, "method": method, "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None or not attrs.get("name"):
            return
        name, fields = attrs["name"], self._form["fields"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and name in fields:
                return
            fields[name] = (kind, attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "button" and attrs.get("value"):
            fields.setdefault(name, ("hidden", attrs["value"]))
        elif tag == "textarea":
            fields[name] = ("textarea", "")
        elif tag == "select":
            self._select = name
            fields[name] = ("select", "")
        elif tag == "option" and self._select and not fields[self._select][1]:
            fields[self._select] = ("select", attrs.get("value", ""))

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


TEXT_KINDS = {"text", "textarea", "search", "email", "tel", "url", "password", "number", "date"}
KEPT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace, entry, prefix + str(entry.pattern)


def _admin_object_ids(name: str) -> list[str]:
    for model in admin.site._registry:
        if name == f"{model._meta.app_label}_{model._meta.model_name}_change":
            pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            return [str(pk)] if pk is not None else []
    return []


def _urls(user: User, missing: list[str]) -> list[tuple[str, str]]:
    """(url name, url) for every pattern of the URL map, with ids of existing objects for ``user``.

    Django's admin only for a staff user (the others are sent to its login page, tried once).
    """
    urls: list[tuple[str, str]] = []
    for namespace, entry, route in _walk(get_resolver().url_patterns):
        if not entry.name:
            continue  # the admin's catch-all redirect
        if namespace == "admin" and not user.is_staff and entry.name != "index":
            continue
        if namespace == "admin" and route.count("/") > 2 and route.split("/")[1] not in PROJECT_APPS:
            continue  # the admin of Django's and third parties' models (auth groups, axes)
        full_name = f"{namespace}:{entry.name}" if namespace else entry.name
        converters = getattr(entry.pattern, "converters", {})
        if namespace == "admin" and "([^/]+)" in route:
            continue  # simple_history's page of one historical record, in Django's admin
        if not converters and "(?P<" not in route:
            urls.append((full_name, reverse(full_name)))
            continue
        if full_name == "admin:app_list":
            urls.append((full_name, reverse(full_name, kwargs={"app_label": "onboarding"})))
            continue
        if set(converters) == {"tier"}:
            urls.append((full_name, reverse(full_name, kwargs={"tier": "A"})))
            continue
        if set(converters) == {"role"}:  # a playbook
            urls.append((full_name, reverse(full_name, kwargs={"role": "investigator"})))
            continue
        if namespace == "admin" and "object_id" in converters:
            # Django's own pages: the change page of one object of each model is enough.
            if entry.name.endswith("_change"):
                urls += [(full_name, reverse(full_name, args=[pk])) for pk in _admin_object_ids(entry.name)]
            continue
        if namespace == "admin" and set(converters) == {"id"}:
            urls.append((full_name, reverse(full_name, args=[User.objects.get(username="sales2").pk])))
            continue
        if namespace == "admin" and set(converters) == {"content_type_id", "object_id"}:
            continue  # "view on site": a redirect Django owns
        segment = route.split("<", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        source = ID_SOURCES.get(segment)
        if source is None or set(converters) != {"pk"}:
            missing.append(f"{full_name} ({route})")
            continue
        ids = source(user)
        if not ids:
            missing.append(f"{full_name} ({route}): no object in the fixture")
        urls += [(full_name, reverse(full_name, args=[pk])) for pk in ids]
    return urls


@pytest.fixture
def pipeline(settings, db):
    """The demo data, plus what it lacks: a scorecard draft, a photo, a third-party report, a comment."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    risk2 = User.objects.get(username="risk2")
    screening_services.scorecard_copy(version=published_version(), actor=risk2)
    application = Application.objects.get(state="background_check")
    investigator = application.investigator or User.objects.get(username="investigator1")
    screening_services.site_visit_record(
        application=application, actor=investigator, date=application.created_at.date(),
        address=application.operating_address, operations="Running", premises="Owned", staff="40",
        photos=[SimpleUploadedFile("gate.png", PNG_BYTES, content_type="image/png")],
    )
    screening_services.third_party_report_record(
        application=application, actor=investigator, upload=pdf_upload("report.pdf"),
        provider="Dun & Bradstreet", report_date=application.created_at.date(), conclusion="No concerns",
    )
    comments.comment_create(application=application, author=User.objects.get(username="risk1"), body="@sales1 ok?")
    risk1, admin_user = User.objects.get(username="risk1"), User.objects.get(username="admin")
    watchlist_services.import_job_create(
        upload=SimpleUploadedFile("list.csv", b"id,name,aliases,country,program,entity_type\nX-1,Acme,,US,T,company\n"),
        source_name="Sweep list", file_format="csv", actor=risk1,
    )
    client, _token = api_services.api_client_create(name="CRM", user=User.objects.get(username="sales1"),
                                                    scopes=["read"], actor=admin_user)
    subscription = api_services.subscription_create(client=client, url="https://crm.example.com/hook",
                                                    events=["application.created"], actor=admin_user)
    outcome_services.receivables_upload(actor=risk1, upload=SimpleUploadedFile(
        "ar.csv", b"credit_code,invoice_no,invoice_date,due_date,amount,currency,paid_date,paid_amount\n"))
    assert Case.objects.exists()
    event = WebhookEvent.objects.create(type="application.created", payload={"id": application.pk})
    WebhookDelivery.objects.create(subscription=subscription, event=event, status="failed")
    training_services.briefing_send(kind="scorecard", subject="v9", changes=[], changed_by=risk1,
                                    requires_acknowledgement=True)
    training_services.waiver_grant(user=User.objects.get(username="sales2"), course=Course.objects.first(),
                                   reason="Trained on paper", actor=admin_user)
    assert set(Application.objects.values_list("state", flat=True)) == {
        "draft", "document_review", "returned", "background_check", "committee_review", "approved",
    }
    assert Round.objects.filter(closed_at__isnull=True).count() == 1
    settings.DEBUG = False  # as in production (seed_demo needs it on)


def _record(failures: list[str], response, role: str, what: str) -> None:
    if response.status_code == 500:
        problem = getattr(response, "exc_info", None)
        detail = f"{problem[0].__name__}: {str(problem[1])[:150]!r}" if problem else ""
        failures.append(f"{role} {what} {detail}")


def _mixed(names: set[str], values: list[str], turn: int) -> dict[str, str]:
    """Each name one of ``values``, in turns (``turn`` shifts which name gets which)."""
    return {name: values[(i + turn) % len(values)] for i, name in enumerate(sorted(names))}


def _role_sweep(user: User, urls: list[tuple[str, str]], failures: list[str]) -> int:
    """All requests of one role; returns how many were made."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    urls = [(name, url) for name, url in urls if name not in ("logout", "admin:logout")]
    forms_by_action: dict[str, list[dict]] = {}
    all_names: set[str] = set(QUERY_NAMES)
    status: dict[str, int] = {}
    count = 0

    def request(method: str, url: str, data: dict | None = None, what: str = "", **headers):
        nonlocal count
        response = getattr(client, method)(url, data, headers=headers)
        count += 1
        _record(failures, response, user.username, f"{method.upper()} {url} {what}".strip())
        if not client.cookies.get(settings.SESSION_COOKIE_NAME, None) or not client.cookies[
            settings.SESSION_COOKIE_NAME
        ].value:
            client.force_login(user)  # signed out by what was posted (a password change, say)
        return response

    for _name, url in urls:
        response = request("get", url)
        status[url] = response.status_code
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = _Forms()
            parser.feed(response.content.decode(errors="replace"))
            for form in parser.forms:
                forms_by_action.setdefault(urlsplit(form["action"]).path or url, []).append(form)
                all_names.update(form["fields"])
    for turn, (name, url) in enumerate(urls):
        page_forms = forms_by_action.get(url, [])
        query_names = set(QUERY_NAMES).union(*(f["fields"] for f in page_forms if f["method"] == "get"))
        request("get", url, dict.fromkeys(query_names, BAD["nul"]), "(nul in the query string)")
        request("post", url, dict.fromkeys(all_names, BAD["nul"]), "(nul in every field)")
        if status[url] not in (200, 405):
            continue  # refused to this role: once is enough
        request("post", url, _mixed(all_names, list(BAD_IDS.values()), turn), "(bad ids in every field)")
        if name.startswith("admin:"):
            continue  # Django's own pages: the passes above are enough
        others = [BAD["control"], *BAD_IDS.values()]
        request("get", url, _mixed(query_names, others, turn), "(control characters and bad ids in the query string)")
        for index, form in enumerate([f for f in page_forms if f["method"] == "post"][:3]):
            for label, value in list(BAD_TEXT.items())[: 2 if index == 0 else 1]:
                data = {
                    field: value if kind in TEXT_KINDS and not field.endswith(KEPT) else rendered
                    for field, (kind, rendered) in form["fields"].items() if kind not in ("file", "submit")
                }
                headers = {"HX-Request": "true"} if label == "control" else {}
                request("post", url, data, f"({label} in the text fields)", **headers)
    return count


@pytest.mark.django_db
def test_no_input_makes_a_500(pipeline):
    started = time.monotonic()
    missing: list[str] = []
    failures: list[str] = []
    requests = pages = 0
    for username in ROLES:
        user = User.objects.get(username=username)
        urls = _urls(user, missing)
        assert not missing, "pages with an id this test cannot fill (add to ID_SOURCES): " + ", ".join(missing)
        pages += len(urls)
        begun = time.monotonic()
        made = _role_sweep(user, urls, failures)
        requests += made
        print(f"{username}: {made} requests to {len(urls)} pages in {time.monotonic() - begun:.1f} s")
    print(f"{requests} requests to {pages} (role, page) pairs in {time.monotonic() - started:.1f} s")
    assert not failures, f"{len(failures)} requests answered 500:\n" + "\n".join(sorted(set(failures)))
