"""manage.py seed_demo: demo users and applications through the real services, idempotent."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from onboarding import services
from onboarding.demo import DEMO_PASSWORD, DEMO_USERS, demo_credit_code
from onboarding.enums import DocumentStatus, State
from onboarding.models import Application, Contact, Document, FinancialStatement, StateChange
from onboarding.validators import validate_credit_code

USERNAMES = ["sales1", "sales2", "reviewer1", "investigator1", "finance1", "legal1", "business1", "risk1", "risk2",
             "admin"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, object]:
    return {
        "users": User.objects.count(),
        "applications": Application.objects.count(),
        "states": sorted(Application.objects.values_list("state", flat=True)),
        "documents": Document.objects.count(),
        "accepted": Document.objects.filter(status=DocumentStatus.ACCEPTED).count(),
        "rejected": Document.objects.filter(status=DocumentStatus.REJECTED).count(),
        "state_changes": StateChange.objects.count(),
        "financials": FinancialStatement.objects.count(),
        "contacts": Contact.objects.count(),
    }


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.mark.django_db
def test_seed_onboarding_creates_users_and_applications_in_each_state(debug_on):
    from onboarding.demo import seed_onboarding

    seed_onboarding(StringIO())
    assert counts() == {
        "users": 10,
        "applications": 6,
        "states": sorted([State.DRAFT, State.DRAFT, State.DOCUMENT_REVIEW, State.DOCUMENT_REVIEW, State.RETURNED,
                          State.BACKGROUND_CHECK]),
        "documents": 23,
        "accepted": 11,
        "rejected": 1,
        "state_changes": 6,
        "financials": 6,
        "contacts": 6,
    }


@pytest.mark.django_db
def test_seed_demo_run_twice_creates_nothing_twice(debug_on):
    seed()
    first = counts()
    output = seed()
    assert counts() == first
    assert "created" not in output


@pytest.mark.django_db
def test_seed_demo_users_have_their_role_and_the_shared_password(debug_on):
    seed()
    for demo in DEMO_USERS:
        user = User.objects.get(username=demo.username)
        assert user.check_password(DEMO_PASSWORD)
        assert list(user.groups.values_list("name", flat=True)) == [demo.role.value]
        assert user.get_full_name() == demo.name
    assert [u.username for u in DEMO_USERS] == USERNAMES
    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert User.objects.filter(is_staff=True).count() == 1


@pytest.mark.django_db
def test_seed_demo_keeps_a_changed_password(debug_on):
    seed()
    user = User.objects.get(username="sales1")
    user.set_password("changed-by-the-user-2026")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password("changed-by-the-user-2026")


@pytest.mark.django_db
def test_seed_demo_prints_the_logins_table(debug_on):
    output = seed()
    table = output[output.index("Demo logins"):]
    for username in USERNAMES:
        assert f"| {username} " in table
    assert table.count(DEMO_PASSWORD) == 10
    assert "| admin         | admin (系统管理员)           | Vetted-demo-2026 |" in table


@pytest.mark.django_db
def test_seed_demo_credit_codes_are_valid_and_distinct(debug_on):
    seed()
    codes = list(Application.objects.filter(kind="new").values_list("credit_code", flat=True))
    for code in codes:
        validate_credit_code(code)
    assert len(set(codes)) == len(codes) >= 6


def test_demo_credit_code_matches_a_published_code():
    # 91350100M000100Y43 is the worked example of GB 32100-2015 (organisation code M000100Y4).
    assert demo_credit_code("350100", "M000100Y") == "91350100M000100Y43"


@pytest.mark.django_db
def test_seed_demo_ready_application_can_be_passed_by_the_demo_reviewer(debug_on):
    seed()
    reviewer = User.objects.get(username="reviewer1")
    application = Application.objects.get(legal_name_zh="广东华南新材料股份有限公司")
    assert application.state == State.DOCUMENT_REVIEW
    assert set(application.documents.values_list("status", flat=True)) == {DocumentStatus.PENDING}
    for document in application.documents.all():
        services.document_review(document_id=document.pk, actor=reviewer, accept=True)
    services.application_transition(application_id=application.pk, transition="pass_documents", actor=reviewer)
    application.refresh_from_db()
    assert application.state == State.BACKGROUND_CHECK


@pytest.mark.django_db
def test_seed_demo_returned_application_carries_the_reason(debug_on):
    seed()
    application = Application.objects.get(state=State.RETURNED)
    change = application.state_changes.get(transition="return_for_information")
    assert change.actor.username == "reviewer1"
    assert change.reason == "银行资信证明出具日期已超过三个月，请提供最新版本。"
    rejected = application.documents.get(status=DocumentStatus.REJECTED)
    assert rejected.document_type.code == "bank_reference"


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0
