"""Read-only admin views: scorecards change through the app's screens (services), never here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from screening.models import Evaluation, InvestigationPolicy, ScorecardVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "author", "publisher", "published_at", "admission_threshold")
    list_filter = ("status",)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "application", "customer", "version", "total", "tier", "passed", "created_at")
    list_filter = ("tier", "passed")
    list_select_related = ("application", "customer", "version")
    raw_id_fields = ("application", "customer")


@admin.register(InvestigationPolicy)
class InvestigationPolicyAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ("__str__", "updated_by", "updated_at")
