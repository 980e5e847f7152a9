from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from onboarding.models import (
    Application,
    Customer,
    CustomerCondition,
    Document,
    DocumentRequirement,
    DocumentType,
    Industry,
    StateChange,
)


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "risk_class")
    list_editable = ("risk_class",)


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en")


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(admin.ModelAdmin):
    list_display = ("customer_type", "document_type", "required")
    list_filter = ("customer_type", "required")
    list_select_related = ("document_type",)


class StateChangeInline(admin.TabularInline):
    model = StateChange
    extra = 0
    can_delete = False
    readonly_fields = ("transition", "from_state", "to_state", "actor", "reason", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    """Read-mostly: state changes go through the application pages, never through the admin."""

    list_display = ("reference", "display_name", "credit_code", "state", "created_by", "submitted_at")
    list_filter = ("state", "customer_type", "kind")
    search_fields = ("legal_name_zh", "legal_name_en", "credit_code")
    list_select_related = ("created_by",)
    readonly_fields = ("state", "state_entered_at", "submitted_at", "decided_at", "document_reviewer", "investigator")
    inlines = [StateChangeInline]


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ("original_name", "application", "document_type", "version", "status", "is_current")
    list_filter = ("status", "is_current")
    list_select_related = ("application", "document_type")
    readonly_fields = ("file", "sha256", "size", "content_type")


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "credit_code", "status", "tier", "credit_limit", "next_review_date")
    list_filter = ("status", "tier")
    search_fields = ("name", "credit_code")


@admin.register(CustomerCondition)
class CustomerConditionAdmin(SimpleHistoryAdmin):
    list_display = ("text", "customer", "due_date", "fulfilled_at")
    list_select_related = ("customer",)
