from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from approvals.models import CommitteePolicy, Round, Vote, VoteCondition


@admin.register(CommitteePolicy)
class CommitteePolicyAdmin(SimpleHistoryAdmin):
    list_display = ("tier", "rule", "departments", "veto_departments", "warning", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")


class VoteInline(admin.TabularInline):
    """Votes are final: shown, never edited here."""

    model = Vote
    extra = 0
    can_delete = False
    fields = ("department", "voter", "decision", "reason", "credit_limit", "payment_terms_days", "customer_action",
              "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("application", "number", "opened_at", "closed_at", "outcome")
    list_filter = ("outcome",)
    readonly_fields = ("application", "number", "opened_at", "policy", "closed_at", "outcome")
    inlines = [VoteInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(VoteCondition)
class VoteConditionAdmin(admin.ModelAdmin):
    list_display = ("text", "due_date", "vote")
    readonly_fields = ("vote", "text", "due_date")

    def has_add_permission(self, request) -> bool:
        return False
