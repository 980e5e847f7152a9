"""Demo data for training: every demo user has passed their role's course, except ``investigator2``,
a new investigator who must still train (sign in with TRAINING_REQUIRED=1 to see the gate).
Idempotent."""

from __future__ import annotations

from typing import TextIO

from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from onboarding.demo import DEMO_PASSWORD, DEMO_USERS, demo_user
from training.content.load import load_content
from training.models import Attempt, Course

NEW_INVESTIGATOR = "investigator2"


def seed_training(stdout: TextIO) -> None:
    load_content()
    for demo in DEMO_USERS:
        user = demo_user(demo.username)
        for course in Course.objects.filter(requirements__role=demo.role.value):
            if not Attempt.objects.filter(user=user, course=course, passed=True).exists():
                total = course.questions.count()
                Attempt.objects.create(user=user, course=course, correct=total, total=total, score=100, passed=True)
    user, created = User.objects.get_or_create(
        username=NEW_INVESTIGATOR,
        defaults={"first_name": "李新", "email": f"{NEW_INVESTIGATOR}@vetted.example", "language": "zh-hans"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        stdout.write(f"  user {NEW_INVESTIGATOR} (investigator, still to be trained) created\n")
    user.groups.add(Group.objects.get(name=Role.INVESTIGATOR.value))
