"""Helpers for the training tests: pass a role's required courses the real way (a full-marks quiz)."""

import pytest

from training import services
from training.models import Course


def right_answers(course: Course) -> dict[int, list[int]]:
    return {q.pk: [c.pk for c in q.choices.all() if c.correct] for q in course.questions.prefetch_related("choices")}


def pass_role(user, role: str) -> None:
    for course in Course.objects.filter(requirements__role=role):
        services.attempt_record(course=course, user=user, answers=right_answers(course))


@pytest.fixture
def training_on(settings):
    settings.TRAINING_REQUIRED = True
    return settings
