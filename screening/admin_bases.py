"""What every admin page of the app shares: the audit log is its one history."""

from django.contrib import admin


class OneHistoryAdmin(admin.ModelAdmin):
    """Our audit log is the one history (DESIGN.md): the admin's own LogEntry records are not written."""

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None


class ReadOnlyAdmin(OneHistoryAdmin):
    """Records that nobody edits: published versions and the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
