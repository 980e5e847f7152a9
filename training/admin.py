from django.contrib import admin

from training.models import Course, RequiredTraining


@admin.register(RequiredTraining)
class RequiredTrainingAdmin(admin.ModelAdmin):
    """Which courses each role must pass, and for how long a pass holds (e.g. 365 days)."""

    list_display = ("role", "course", "valid_days")
    list_filter = ("role",)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("slug", "role", "title_en", "title_zh", "pass_mark")
    fields = ("slug", "role", "title_en", "title_zh", "summary_en", "summary_zh", "playbook", "pass_mark")
