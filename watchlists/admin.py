"""Admin: read-only views of the lists and hits. Imports and dispositions go through the app,
where the services check permissions and keep the record."""

from django.contrib import admin

from watchlists.models import ImportJob, ScreeningHit, ScreeningRun, WatchlistEntry, WatchlistSource


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WatchlistSource)
class WatchlistSourceAdmin(ReadOnlyAdmin):
    list_display = ["name", "format", "entry_count", "imported_at", "imported_by"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["source_name", "original_name", "status", "entries", "created_by", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["created_by"]


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "name", "entity_type", "country", "source"]
    list_filter = ["source", "entity_type"]
    list_select_related = ["source"]
    # A million rows: never count them on every page, search only the external id exactly.
    show_full_result_count = False
    search_fields = ["=external_id"]


@admin.register(ScreeningHit)
class ScreeningHitAdmin(ReadOnlyAdmin):
    list_display = ["query_name", "matched_name", "score", "source", "disposition", "application", "customer"]
    list_filter = ["disposition", "subject"]
    list_select_related = ["source", "application", "customer"]


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "application", "customer", "hits_found", "entries_screened"]
    list_select_related = ["application", "customer"]
