from django.contrib import admin

from outcomes.models import CustomerOutcome, Invoice, ReceivablesImport, WriteOff


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["invoice_no", "customer", "invoice_date", "due_date", "amount", "paid_date", "paid_amount"]
    search_fields = ["invoice_no", "customer__name", "customer__credit_code"]
    raw_id_fields = ["customer"]


@admin.register(CustomerOutcome)
class CustomerOutcomeAdmin(admin.ModelAdmin):
    list_display = ["customer", "status", "exposure", "max_dpd_now", "worst_dpd_12m", "as_of"]
    list_filter = ["status"]
    raw_id_fields = ["customer"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # computed from the invoices


@admin.register(WriteOff)
class WriteOffAdmin(admin.ModelAdmin):
    list_display = ["customer", "written_off_on", "recorded_by", "recorded_at"]
    raw_id_fields = ["customer"]


@admin.register(ReceivablesImport)
class ReceivablesImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "uploaded_by", "status", "rows_checked", "created_at"]
