"""Old addresses that lead to the pages that replaced them."""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


def clean_path(address):
    """The path of an old address, as the site compares it: `https://old.example/post/x/?a`
    and `/post/x` are the same address. Empty when there is no path to keep."""
    path = unquote(urlsplit(address.strip()).path)
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


class Redirect(models.Model):
    """An address that answers 301 with another page: a report's address on the old site,
    or one staff add by hand. Used only where the site has no page of its own."""

    old_path = models.CharField(
        "old address",
        max_length=500,
        unique=True,
        help_text="The path readers arrive at, e.g. “/post/mali-country-report-2023”. A "
        "whole address may be pasted: only its path is kept. Works with or without a "
        "slash at the end.",
    )
    report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="old_addresses",
        help_text="The report it leads to; its address is followed even if it changes. "
        "Leads nowhere (the reader gets “not found”) while the report is not public.",
    )
    new_path = models.CharField(
        "or this address",
        max_length=500,
        blank=True,
        help_text="Another page of this site, e.g. “/countries/mali/”, when it does not "
        "lead to a report.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["old_path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=True) | Q(new_path=""),
                name="redirect_to_a_report_or_an_address",
            ),
        ]

    def __str__(self):
        return self.old_path

    def save(self, **kwargs):
        self.old_path = clean_path(self.old_path)
        super().save(**kwargs)

    def clean(self):
        self.old_path = clean_path(self.old_path) if self.old_path else ""
        if self.report_id and self.new_path:
            raise ValidationError(
                "Choose a report or give an address, not both.", code="two_targets"
            )
        if not self.report_id and not self.new_path:
            raise ValidationError(
                "Choose the report it leads to, or give an address.", code="no_target"
            )
        if self.new_path:
            target = urlsplit(self.new_path.strip())
            if target.scheme or target.netloc or not self.new_path.startswith("/"):
                raise ValidationError(
                    {"new_path": "Give a page of this site, starting with “/”."},
                    code="not_this_site",
                )
            if clean_path(self.new_path) == self.old_path:
                raise ValidationError(
                    {"new_path": "This address would lead to itself."}, code="loop"
                )

    def target(self):
        """Where the old address leads now, or None when it leads nowhere public."""
        if self.report_id is not None:
            report = self.report
            return report.get_absolute_url() if report.is_public else None
        return self.new_path or None

    @classmethod
    def target_for(cls, path):
        found = cls.objects.select_related("report__country").filter(old_path=clean_path(path))
        redirect = found.first()
        return redirect.target() if redirect else None
