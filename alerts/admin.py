from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from genocidewatch.admin import ReadOnlyAdminMixin
from reports.models import Report
from reports.workflow import can_publish

from . import subscriptions
from .models import Announcement, Delivery, Subscriber

SENT, FAILED = Delivery.Status.SENT, Delivery.Status.FAILED
# Whom the preview is addressed to: no real subscriber's address or links are shown.
PREVIEW_SUBSCRIBER = Subscriber(email="subscriber@example.org")


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


def delivery_counts(report):
    return Delivery.objects.filter(report=report).aggregate(
        sent=Count("pk", filter=Q(status=SENT)),
        failed=Count("pk", filter=Q(status=FAILED)),
        first=Min("sent_at"),
        last=Max("sent_at"),
    )


def _deliveries(status):
    """The number of a listed announcement's deliveries in `status`, in the same query."""
    counted = (
        Delivery.objects.filter(report=OuterRef("report"), status=status)
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reports whose alerts went out. Each has an alert page: the email as subscribers
    get it, and how many were sent and which failed. Editors only; nothing here is added or
    changed by hand."""

    list_display = ["report", "created_at", "sent", "failed", "alert_page"]
    list_select_related = ["report__country"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(sent=_deliveries(SENT), failed=_deliveries(FAILED))
        )

    @admin.display(ordering="sent")
    def sent(self, announcement):
        return announcement.sent

    @admin.display(ordering="failed")
    def failed(self, announcement):
        return announcement.failed

    @admin.display(description="Alert page")
    def alert_page(self, announcement):
        url = reverse("admin:alerts_report_alerts", args=[announcement.report_id])
        return format_html('<a href="{}">Preview and deliveries</a>', url)

    def has_module_permission(self, request):
        return can_publish(request.user)

    def has_view_permission(self, request, obj=None):
        return can_publish(request.user)

    def get_urls(self):
        return [
            path(
                "report/<int:report_id>/",
                self.admin_site.admin_view(self.report_alerts_view),
                name="alerts_report_alerts",
            ),
            path(
                "report/<int:report_id>/email.html",
                self.admin_site.admin_view(self.email_html_view),
                name="alerts_report_alert_html",
            ),
            *super().get_urls(),
        ]

    def _report(self, request, report_id):
        if not can_publish(request.user):
            raise PermissionDenied
        report = get_object_or_404(
            Report.objects.select_related("country").prefetch_related("stages", "attachments"),
            pk=report_id,
        )
        return report, subscriptions.alert_message(PREVIEW_SUBSCRIBER, report)

    def report_alerts_view(self, request, report_id):
        report, message = self._report(request, report_id)
        announcement = Announcement.objects.filter(report=report).first()
        failures = (
            Delivery.objects.filter(report=report, status=FAILED)
            .select_related("subscriber")
            .order_by("sent_at")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": Report._meta,
            "original": report,
            "title": f"Email alerts: {report}",
            "announcement": announcement,
            "is_public": Report.objects.public().filter(pk=report.pk).exists(),
            "recipients": None if announcement else subscriptions.recipients(report).count(),
            "counts": delivery_counts(report),
            "failures": failures,
            "message": message,
            "text": message.body,
        }
        return TemplateResponse(request, "admin/alerts/report_alerts.html", context)

    def email_html_view(self, request, report_id):
        _, message = self._report(request, report_id)
        return HttpResponse(
            message.alternatives[0].content, content_type="text/html; charset=utf-8"
        )
