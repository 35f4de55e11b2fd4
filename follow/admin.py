from django.contrib import admin

from .models import FollowLink


@admin.register(FollowLink)
class FollowLinkAdmin(admin.ModelAdmin):
    list_display = ["display_label", "platform", "url", "order"]
    list_editable = ["order"]
    list_display_links = ["display_label"]
    fields = ["platform", "url", "label", "order"]
