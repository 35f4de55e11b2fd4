from django.contrib import admin

from .models import FollowLink, Subscriber


@admin.register(FollowLink)
class FollowLinkAdmin(admin.ModelAdmin):
    list_display = ["display_label", "platform", "url", "order"]
    list_editable = ["order"]
    list_display_links = ["display_label"]
    fields = ["platform", "url", "label", "order"]


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
