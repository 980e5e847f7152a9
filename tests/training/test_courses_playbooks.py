"""Quiz scoring and the pass mark, shipped content, playbook versions and what changed, Markdown sanitising."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from tests.factories import user_with
from tests.training.conftest import right_answers
from training import services
from training.models import Attempt, Course, Playbook, QuestionKind
from training.rendering import markdown_html

ROLES = [r.value for r in Role if r != Role.ADMIN]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_ships_a_playbook_and_a_course_of_at_least_eight_questions(db, role):
    playbook = Playbook.objects.get(role=role)
    version = playbook.versions.get()
    assert version.title_en and version.title_zh and len(version.body_zh) > 200 and len(version.body_en) > 200
    course = Course.objects.get(role=role)
    assert course.questions.count() >= 8
    assert course.requirements.get().role == role
    for question in course.questions.prefetch_related("choices"):
        right = [c for c in question.choices.all() if c.correct]
        assert question.explanation_en and question.explanation_zh
        assert len(right) == 1 if question.kind == QuestionKind.SINGLE else len(right) >= 1


def test_quiz_scores_exact_answers_and_applies_the_pass_mark(db):
    user = user_with(Role.SALES)
    course = Course.objects.get(role=Role.SALES)  # 8 questions, pass mark 75 %
    answers = right_answers(course)
    questions = list(course.questions.prefetch_related("choices"))
    assert (len(questions), course.pass_mark) == (8, 75)
    # Two wrong (one unanswered, one with a wrong choice): 6/8 = 75 % passes.
    answers[questions[0].pk] = []
    wrong = next(c for c in questions[1].choices.all() if not c.correct)
    answers[questions[1].pk] = [wrong.pk]
    attempt = services.attempt_record(course=course, user=user, answers=answers)
    assert (attempt.correct, attempt.total, attempt.score, attempt.passed) == (6, 8, 75, True)
    # A third wrong: a multiple-choice question with only part of its right choices is wrong: 5/8 = 62 %.
    multiple = next(q for q in questions[2:] if q.kind == QuestionKind.MULTIPLE)
    answers[multiple.pk] = answers[multiple.pk][:1]
    attempt = services.attempt_record(course=course, user=user, answers=answers)
    assert (attempt.correct, attempt.score, attempt.passed) == (5, 62, False)
    assert Attempt.objects.filter(user=user, course=course).count() == 2


def test_single_choice_with_two_answers_is_wrong(db):
    user = user_with(Role.SALES)
    course = Course.objects.get(role=Role.SALES)
    answers = right_answers(course)
    single = next(q for q in course.questions.all() if q.kind == QuestionKind.SINGLE)
    answers[single.pk] = [c.pk for c in single.choices.all()]
    assert services.attempt_record(course=course, user=user, answers=answers).correct == 7


def test_quiz_page_passes_and_shows_explanations(client, db):
    user = user_with(Role.SALES)
    course = Course.objects.get(role=Role.SALES)
    client.force_login(user)
    page = client.get(f"/training/courses/{course.pk}/")
    assert page.status_code == 200
    data = {}
    for question, chosen in right_answers(course).items():
        data[f"q{question}"] = [str(c) for c in chosen] if len(chosen) > 1 else str(chosen[0])
    response = client.post(f"/training/courses/{course.pk}/attempt/", data)
    assert response.status_code == 200
    assert Attempt.objects.get(user=user).passed
    first = course.questions.first()
    assert first.explanation_en in response.content.decode()  # the tests read English
    forged = client.post(f"/training/courses/{course.pk}/attempt/", {f"q{first.pk}": "99999999999"}, follow=True)
    assert forged.status_code == 200 and Attempt.objects.filter(user=user).count() == 1


def test_playbook_edit_makes_a_new_version_and_the_reader_sees_what_changed(client, db):
    risk = user_with(Role.RISK_MANAGER, username="rosa")
    reader = user_with(Role.INVESTIGATOR, username="ivan")
    playbook = Playbook.objects.get(role=Role.INVESTIGATOR)
    client.force_login(reader)
    first = client.get("/training/playbooks/investigator/")
    assert first.status_code == 200 and "changes-since" not in first.content.decode()
    v1 = playbook.versions.get()
    version = services.playbook_edit(playbook=playbook, actor=risk, title_en=v1.title_en, title_zh=v1.title_zh,
                                     body_en=v1.body_en + "\n\nNew: photograph the warehouse on a site visit.",
                                     body_zh=v1.body_zh + "\n\n新增：实地考察须拍摄仓库照片。",
                                     note="仓库照片")
    assert (version.number, version.author) == (2, risk)
    assert playbook.versions.count() == 2 and playbook.versions.get(number=1).body_zh == v1.body_zh
    page = client.get("/training/playbooks/investigator/").content.decode()
    assert 'id="changes-since"' in page
    assert '<span class="diff-add">+New: photograph the warehouse on a site visit.</span>' in page
    assert "仓库照片" in page and str(risk) in page
    again = client.get("/training/playbooks/investigator/").content.decode()
    assert 'id="changes-since"' not in again  # read now


def test_only_risk_managers_and_admins_edit_playbooks(client, db):
    reader = user_with(Role.INVESTIGATOR)
    playbook = Playbook.objects.get(role=Role.INVESTIGATOR)
    with pytest.raises(PermissionDenied):
        services.playbook_edit(playbook=playbook, actor=reader, title_en="x", title_zh="x", body_en="x", body_zh="x")
    client.force_login(reader)
    assert client.get("/training/playbooks/investigator/edit/").status_code == 403
    assert client.get("/training/playbooks/sales/").status_code == 404  # not their role's playbook


def test_markdown_script_is_not_executed(client, db):
    risk = user_with(Role.RISK_MANAGER)
    playbook = Playbook.objects.get(role=Role.RISK_MANAGER)
    body = '# Title\n\n<script>alert("x")</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>'
    html = markdown_html(body)
    assert "<script>" not in html and "onerror=" not in html.replace("onerror=alert(1)&gt;", "")
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", "")
    assert "&lt;script&gt;" in html
    services.playbook_edit(playbook=playbook, actor=risk, title_en="T", title_zh="T", body_en=body, body_zh=body)
    client.force_login(risk)
    page = client.get("/training/playbooks/risk_manager/").content.decode()
    article = page[page.index('<article class="playbook">'):page.index("</article>")]
    assert "<script>" not in article and "<img" not in article and 'href="javascript' not in article
    assert "<h1>Title</h1>" in article


def test_training_pages_and_the_gate_speak_chinese(client, db, settings):
    settings.TRAINING_REQUIRED = True
    user = user_with(Role.INVESTIGATOR, language="zh-hans")
    client.force_login(user)
    page = client.get("/training/").content.decode()
    assert "我的培训" in page and "必修培训" in page and "尚未通过" in page and "背景调查手册" not in page
    course = Course.objects.get(role=Role.INVESTIGATOR)
    assert f">{course.title_zh}</a>" in page
    playbook = client.get("/training/playbooks/investigator/").content.decode()
    assert "背景调查手册" in playbook and "随 Vetted 提供" in playbook
    from django.utils import translation

    from accounts import gates
    with translation.override("zh-hans"):
        message = gates.refusals(user, action="pass_background_check", role=Role.INVESTIGATOR)[0]
    assert f"进行此操作前，请先通过课程“{course.title_zh}”。" in message and "参加课程" in message
