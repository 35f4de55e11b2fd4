from django.contrib import admin

from .models import Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Who receives alerts. Addresses are added only by their owners, through the site."""

    list_display = ["email", "all_reports", "level_changes_only", "confirmed_at", "created_at"]
    list_filter = [
        "all_reports",
        "level_changes_only",
        ("confirmed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    readonly_fields = ["email", "confirmed_at", "created_at"]
    filter_horizontal = ["countries"]

    def has_add_permission(self, request):
        return False
