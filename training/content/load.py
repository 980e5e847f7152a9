"""Load the shipped playbooks, courses and required training (idempotent; edits are kept)."""

from __future__ import annotations

from training.content.courses import LESSONS_EN, LESSONS_ZH, questions_for
from training.content.playbooks import PLAYBOOKS

COURSE_TITLES = {
    "sales": ("Sales: applying for a customer", "客户经理：提交准入申请"),
    "document_reviewer": ("Document review", "资料审核"),
    "investigator": ("Background check", "背景调查"),
    "approver_finance": ("Committee vote: finance", "审批投票：财务"),
    "approver_legal": ("Committee vote: legal", "审批投票：法务"),
    "approver_business": ("Committee vote: business", "审批投票：业务"),
    "risk_manager": ("Rules, monitoring and alerts", "规则、监控与预警"),
}
VALID_DAYS = 365


def load_content(apps=None) -> int:
    """Create what is missing; returns how many courses were created. ``apps``: a migration's registry."""
    if apps is None:
        from django.apps import apps as registry
        apps = registry
    Playbook = apps.get_model("training", "Playbook")
    PlaybookVersion = apps.get_model("training", "PlaybookVersion")
    Course = apps.get_model("training", "Course")
    Lesson = apps.get_model("training", "Lesson")
    Question = apps.get_model("training", "Question")
    Choice = apps.get_model("training", "Choice")
    RequiredTraining = apps.get_model("training", "RequiredTraining")
    created = 0
    for role, (title_en, title_zh, body_en, body_zh) in PLAYBOOKS.items():
        playbook, _ = Playbook.objects.get_or_create(role=role)
        if not PlaybookVersion.objects.filter(playbook=playbook).exists():
            PlaybookVersion.objects.create(playbook=playbook, number=1, title_en=title_en, title_zh=title_zh,
                                           body_en=body_en.strip(), body_zh=body_zh.strip())
        course_en, course_zh = COURSE_TITLES[role]
        course, new = Course.objects.get_or_create(slug=role.replace("_", "-"), defaults={
            "role": role, "title_en": course_en, "title_zh": course_zh, "playbook": playbook, "pass_mark": 75,
            "summary_en": f"Built from the playbook “{title_en}”.", "summary_zh": f"依据岗位手册《{title_zh}》编写。",
        })
        if new:
            created += 1
            link = f"/training/playbooks/{role}/"
            for order, ((t_en, b_en), (t_zh, b_zh)) in enumerate(zip(LESSONS_EN, LESSONS_ZH, strict=True)):
                Lesson.objects.create(course=course, order=order, title_en=t_en, title_zh=t_zh,
                                      body_en=f"{b_en}\n\n[{title_en}]({link})", body_zh=f"{b_zh}\n\n[{title_zh}]({link})")
            for order, (kind, text_en, text_zh, expl_en, expl_zh, choices) in enumerate(questions_for(role)):
                question = Question.objects.create(course=course, order=order, kind=kind, text_en=text_en,
                                                   text_zh=text_zh, explanation_en=expl_en, explanation_zh=expl_zh)
                Choice.objects.bulk_create(
                    Choice(question=question, order=i, text_en=c_en, text_zh=c_zh, correct=correct)
                    for i, (c_en, c_zh, correct) in enumerate(choices)
                )
        RequiredTraining.objects.get_or_create(role=role, course=course, defaults={"valid_days": VALID_DAYS})
    return created
