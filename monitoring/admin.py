"""Read-only admin views for support: changes go through the services (triage pages, settings screen)."""

from django.contrib import admin

from monitoring.models import Alert, CustomerCreditProfile, IndicatorSetting, JobRun, Reconciliation


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ["pk", "customer", "indicator", "severity", "status", "opened_at", "assignee"]
    list_filter = ["status", "severity", "indicator"]
    raw_id_fields = ["customer", "assignee", "acknowledged_by", "closed_by", "review_application"]
    show_full_result_count = False  # never COUNT(*) a million alerts


@admin.register(JobRun)
class JobRunAdmin(ReadOnly):
    list_display = ["pk", "kind", "scope", "status", "started_at", "finished_at", "evaluated", "alerts_raised", "errors"]
    list_filter = ["kind", "status"]


@admin.register(CustomerCreditProfile)
class CustomerCreditProfileAdmin(ReadOnly):
    list_display = ["customer", "bureau_score", "due_on", "last_total", "last_tier", "last_evaluated_at"]
    raw_id_fields = ["customer"]
    show_full_result_count = False


@admin.register(IndicatorSetting)
class IndicatorSettingAdmin(ReadOnly):
    list_display = ["indicator", "enabled", "threshold", "severity", "updated_by", "updated_at"]


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnly):
    list_display = ["pk", "started_at", "trigger", "counts", "not_queued", "runs_resumed"]
    list_filter = ["trigger"]
