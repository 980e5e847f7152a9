"""Forms of the training pages. Every form refuses control characters (CleanTextMixin)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.validators import CleanTextMixin, parse_id
from training.models import Course, QuestionKind


class QuizForm(CleanTextMixin, forms.Form):
    """One field per question; an unanswered question counts as wrong (so none is required)."""

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(course.questions.prefetch_related("choices"))
        for number, question in enumerate(self.questions, start=1):
            choices = [(str(c.pk), c.text) for c in question.choices.all()]
            label = f"{number}. {question.text}"
            if question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                                  widget=forms.CheckboxSelectMultiple)
            else:
                field = forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)
            self.fields[f"q{question.pk}"] = field

    def answers(self) -> dict[int, list[int]]:
        found = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}") or []
            values = value if isinstance(value, list) else [value]
            found[question.pk] = [n for n in (parse_id(v) for v in values) if n is not None]
        return found


class PlaybookForm(CleanTextMixin, forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    body_en = forms.CharField(label=_("Text (English, Markdown)"), widget=forms.Textarea(attrs={"rows": 16}),
                              max_length=50000)
    body_zh = forms.CharField(label=_("Text (Chinese, Markdown)"), widget=forms.Textarea(attrs={"rows": 16}),
                              max_length=50000)
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class WaiverForm(CleanTextMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["course"].queryset = Course.objects.order_by("role", "slug")


class BriefingEditForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)
    requires_acknowledgement = forms.BooleanField(label=_("Requires acknowledgement before the next gated action"),
                                                  required=False)


class ReportForm(CleanTextMixin, forms.Form):
    department = forms.ChoiceField(label=_("Department"), required=False)
    week = forms.DateField(label=_("Week of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, departments: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments

    def clean_week(self) -> datetime.date | None:
        week = self.cleaned_data.get("week")
        if week is not None and not datetime.date(2000, 1, 1) <= week <= datetime.date(2100, 1, 1):
            raise forms.ValidationError(_("Choose a week between 2000 and 2100."))
        return week


class DepartmentForm(CleanTextMixin, forms.Form):
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, departments: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All")), *departments]
