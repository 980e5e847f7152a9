"""Segregation of duties from the record, for one person holding every role.

For every (earlier act × later act) pair whose later act belongs to a later stage, ``multi`` — a
sales person, document reviewer, investigator and legal approver at once — does the earlier act
while colleagues do everything else, and is then refused the later act with the reason. The
checks read what was recorded (document reviews of any version, investigation records, photos,
evaluations, hit dispositions, transitions), not only who took each stage's transition.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from approvals import services as approval_services
from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.models import Application
from onboarding.participation import ACTS, Stage
from screening import services as screening_services
from tests.factories import (
    PNG_BYTES,
    ApplicationFactory,
    pdf_upload,
    prepare_background_check,
    upload_required_documents,
    user_with,
)
from tests.watchlists.conftest import import_list
from watchlists import services as watchlist_services
from watchlists.enums import Disposition
from watchlists.models import ScreeningHit

pytestmark = pytest.mark.django_db

# earlier act → (its stage, the act the refusal names)
EARLIER = {
    "created": (Stage.APPLICATION, "created"),
    "accepted_a_document": (Stage.DOCUMENTS, "reviewed_documents"),
    "review_later_overwritten_by_a_colleague": (Stage.DOCUMENTS, "reviewed_documents"),
    "took_pass_documents": (Stage.DOCUMENTS, "reviewed_documents"),
    "recorded_interview": (Stage.INVESTIGATION, "investigated"),
    "recorded_site_visit": (Stage.INVESTIGATION, "investigated"),
    "recorded_third_party_report": (Stage.INVESTIGATION, "investigated"),
    "added_a_site_visit_photo": (Stage.INVESTIGATION, "investigated"),
    "evaluated_again": (Stage.INVESTIGATION, "investigated"),
    "dispositioned_a_hit": (Stage.INVESTIGATION, "dispositioned_hit"),
}
LATER = {
    "review_a_document": Stage.DOCUMENTS,
    "pass_documents": Stage.DOCUMENTS,
    "record_interview": Stage.INVESTIGATION,
    "disposition_a_hit": Stage.INVESTIGATION,
    "pass_background_check": Stage.INVESTIGATION,
    "vote": Stage.COMMITTEE,
}
PAIRS = [(earlier, later) for earlier in EARLIER for later in LATER if EARLIER[earlier][0] < LATER[later]]


def _expected(earlier: str, later: str) -> str:
    act = ACTS[EARLIER[earlier][1]]
    if later == "vote":
        return f"{act}: you cannot vote on it."
    return f"{act}: segregation of duties keeps you from this stage."


def _interview(application, actor):
    return screening_services.interview_record(
        application=application, actor=actor, date=datetime.date(2026, 1, 5), participants="CFO",
        business_model="Direct sales", management="Stable", findings="None",
    )


def _fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def _refusal_of(call) -> str:
    """Run the later act and return the message it was refused with (fails if it was allowed)."""
    try:
        call()
    except PermissionDenied as denied:
        return str(denied)
    except onboarding_services.TransitionRefused as refused:
        return " ".join(refused.messages)
    except approval_services.VoteRefused as refused:
        return " ".join(refused.messages)
    pytest.fail("the later act was allowed")


@pytest.fixture
def cast_of_people(db):
    return {
        "multi": user_with(Role.SALES, Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, Role.APPROVER_LEGAL, username="max"),
        "alice": user_with(Role.SALES, username="alice"),
        "rita": user_with(Role.DOCUMENT_REVIEWER, username="rita"),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan"),
        "fay": user_with(Role.APPROVER_FINANCE, username="fay"),
        "bea": user_with(Role.APPROVER_BUSINESS, username="bea"),
    }


@pytest.mark.parametrize(("earlier", "later"), PAIRS)
def test_earlier_act_keeps_the_person_from_a_later_stage(cast_of_people, earlier, later):
    people = cast_of_people
    multi, rita, ivan = people["multi"], people["rita"], people["ivan"]
    # The legal representative and the company are listed: two hits to disposition in background check.
    import_list("P-9,王建国,Wang Jianguo,CN,TEST,person", "C-9,宏远重工有限公司,,CN,TEST,company", source="Sanctions")
    owner = multi if earlier == "created" else people["alice"]
    application = ApplicationFactory(created_by=owner, legal_name_zh="宏远重工有限公司", legal_name_en="Unrelated Ltd")
    upload_required_documents(application)
    onboarding_services.application_transition(application_id=application.pk, transition="submit", actor=owner)
    documents = list(application.documents.filter(is_current=True).order_by("pk"))

    # --- Document review ---
    if earlier == "accepted_a_document":
        onboarding_services.document_review(document_id=documents[0].pk, actor=multi, accept=True)
    if earlier == "review_later_overwritten_by_a_colleague":
        onboarding_services.document_review(document_id=documents[0].pk, actor=multi, accept=False, reason="blurred")
    if later == "review_a_document":
        message = _refusal_of(lambda: onboarding_services.document_review(
            document_id=documents[0].pk, actor=multi, accept=True))
        assert message == _expected(earlier, later)
        return
    for document in documents:
        onboarding_services.document_review(document_id=document.pk, actor=rita, accept=True)
    if later == "pass_documents":
        message = _refusal_of(lambda: onboarding_services.application_transition(
            application_id=application.pk, transition="pass_documents", actor=multi))
        assert message == _expected(earlier, later)
        return
    passer = multi if earlier == "took_pass_documents" else rita
    onboarding_services.application_transition(application_id=application.pk, transition="pass_documents", actor=passer)

    # --- Background check ---
    application = _fresh(application)
    watchlist_services.screen_application(application_id=application.pk)
    hits = list(ScreeningHit.objects.filter(application=application).order_by("pk"))
    assert len(hits) == 2
    if earlier == "recorded_interview":
        _interview(application, multi)
    if earlier == "recorded_site_visit":
        screening_services.site_visit_record(
            application=application, actor=multi, date=datetime.date(2026, 1, 6), address="Factory", operations="Running",
            premises="Owned", staff="420",
        )
    if earlier == "recorded_third_party_report":
        screening_services.third_party_report_record(
            application=application, actor=multi, upload=pdf_upload("report.pdf"), provider="D&B",
            report_date=datetime.date(2026, 1, 7), conclusion="No concerns",
        )
    if earlier == "added_a_site_visit_photo":
        visit = screening_services.site_visit_record(
            application=application, actor=ivan, date=datetime.date(2026, 1, 6), address="Factory", operations="Running",
            premises="Owned", staff="420",
        )
        stored, errors = screening_services.site_visit_photos_add(
            site_visit=visit, uploads=[SimpleUploadedFile("gate.png", PNG_BYTES, content_type="image/png")], actor=multi,
        )
        assert (stored, errors) == (["gate.png"], [])
    if earlier == "evaluated_again":
        screening_services.evaluation_request(application=application, actor=multi)
    if earlier == "dispositioned_a_hit":
        watchlist_services.hit_disposition(hit_id=hits[0].pk, actor=multi, disposition=Disposition.FALSE_POSITIVE,
                                           reason="Namesake")
    if later == "record_interview":
        assert _refusal_of(lambda: _interview(_fresh(application), multi)) == _expected(earlier, later)
        return
    if later == "disposition_a_hit":
        message = _refusal_of(lambda: watchlist_services.hit_disposition(
            hit_id=hits[1].pk, actor=multi, disposition=Disposition.FALSE_POSITIVE, reason="Namesake"))
        assert message == _expected(earlier, later)
        return
    prepare_background_check(_fresh(application), ivan)
    for hit in ScreeningHit.objects.filter(application=application, disposition=Disposition.PENDING):
        watchlist_services.hit_disposition(hit_id=hit.pk, actor=ivan, disposition=Disposition.FALSE_POSITIVE,
                                           reason="Namesake")
    if later == "pass_background_check":
        message = _refusal_of(lambda: onboarding_services.application_transition(
            application_id=application.pk, transition="pass_background_check", actor=multi))
        assert message == _expected(earlier, later)
        return
    onboarding_services.application_transition(
        application_id=application.pk, transition="pass_background_check", actor=ivan)

    # --- Committee ---
    assert _fresh(application).state == State.COMMITTEE_REVIEW
    approval_services.vote_cast(application_id=application.pk, voter=people["fay"], department="finance",
                                decision="approve")
    message = _refusal_of(lambda: approval_services.vote_cast(
        application_id=application.pk, voter=multi, department="legal", decision="approve"))
    assert message == _expected(earlier, later)
    assert _fresh(application).state == State.COMMITTEE_REVIEW


def test_the_pairs_cover_every_stage():
    assert len(PAIRS) == 6 + 3 * 4 + 6 * 1


def test_a_person_who_did_nothing_earlier_may_act_at_every_stage(cast_of_people):
    """The control: the same multi-role person, uninvolved until the committee, may vote."""
    people = cast_of_people
    application = ApplicationFactory(created_by=people["alice"])
    upload_required_documents(application)
    onboarding_services.application_transition(application_id=application.pk, transition="submit", actor=people["alice"])
    for document in application.documents.all():
        onboarding_services.document_review(document_id=document.pk, actor=people["rita"], accept=True)
    onboarding_services.application_transition(application_id=application.pk, transition="pass_documents",
                                               actor=people["rita"])
    prepare_background_check(_fresh(application), people["ivan"])
    onboarding_services.application_transition(application_id=application.pk, transition="pass_background_check",
                                               actor=people["ivan"])
    vote = approval_services.vote_cast(application_id=application.pk, voter=people["multi"], department="legal",
                                       decision="approve")
    assert vote.voter == people["multi"]


def test_the_reason_is_shown_on_the_background_check_screen(client, cast_of_people):
    people = cast_of_people
    application = ApplicationFactory(created_by=people["alice"])
    upload_required_documents(application)
    onboarding_services.application_transition(application_id=application.pk, transition="submit", actor=people["alice"])
    for document in application.documents.all():
        onboarding_services.document_review(document_id=document.pk, actor=people["multi"], accept=True)
    onboarding_services.application_transition(application_id=application.pk, transition="pass_documents",
                                               actor=people["rita"])
    client.force_login(people["multi"])
    for url in (reverse("screening:application_screen", args=[application.pk]),
                reverse("onboarding:application_detail", args=[application.pk])):
        page = client.get(url).content.decode()
        assert ("You reviewed the documents of this application: segregation of duties keeps you from this stage."
                in page), url


def test_the_refusals_read_in_chinese():
    from django.utils import translation

    from onboarding.participation import Act, refusal

    with translation.override("zh-hans"):
        assert refusal(Act(Stage.DOCUMENTS, "reviewed_documents")) == "您审核过该申请的资料；按职责分离原则，您不能参与这一阶段。"
        assert refusal(Act(Stage.APPLICATION, "created"), vote=True) == "该申请由您创建，不能对其投票。"
