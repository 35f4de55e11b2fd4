"""Email alerts: double opt-in, one email per subscriber per report, one-click unsubscribe.

Sending happens outside the request, as tasks (django.tasks): run at once in development
and tests, by `manage.py db_worker` in production. A report's alerts are queued when it is
published, or, for scheduled reports, by `manage.py send_due_alerts` run every few minutes.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reports.models import Country, Report

from .models import Announcement, Delivery, Subscriber

CONFIRM_MAX_AGE = 3 * 24 * 3600


class RateLimited(Exception):
    pass


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


# The salts still name the app these links were first signed by, so links already sent in
# emails keep working.
SALT = "follow.{purpose}"


def token_for(purpose, **data):
    return signing.dumps(data, salt=SALT.format(purpose=purpose), compress=True)


def read_token(purpose, token, max_age=None):
    """The data a link carries, or None if it was tampered with or has expired."""
    try:
        return signing.loads(token, salt=SALT.format(purpose=purpose), max_age=max_age)
    except signing.BadSignature:
        return None


def _count(key, limit, window=3600):
    """Count one more use of `key`; say whether it stays within `limit` per `window`."""
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        used = 1
    return used <= limit


def check_rate(email, client):
    digest = hashlib.sha256(email.encode()).hexdigest()
    by_address = _count(f"subscribe:address:{digest}", settings.SUBSCRIBE_LIMIT_PER_ADDRESS)
    by_client = _count(f"subscribe:client:{client}", settings.SUBSCRIBE_LIMIT_PER_CLIENT)
    if not (by_address and by_client):
        raise RateLimited


def preferences(subscriber):
    return {
        "all_reports": subscriber.all_reports,
        "countries": sorted(subscriber.countries.values_list("pk", flat=True)),
        "level_changes_only": subscriber.level_changes_only,
    }


def request_subscription(*, email, prefs):
    """Send the one confirmation email. The same happens whatever the address's state, so
    the response says nothing about who is subscribed."""
    token = token_for("confirm", email=email, **prefs)
    link = absolute(reverse("alerts:confirm", kwargs={"token": token}))
    context = {"link": link, "site_name": settings.SITE_NAME, "days": CONFIRM_MAX_AGE // 86400}
    _send(
        to=email,
        subject=f"Confirm your {settings.SITE_NAME} alerts",
        template="alerts/email/confirm",
        context=context,
    )


def confirm(data):
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(email=data["email"])
        apply_preferences(subscriber, data)
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.save()
    return subscriber


def apply_preferences(subscriber, prefs):
    subscriber.all_reports = prefs["all_reports"]
    subscriber.level_changes_only = prefs["level_changes_only"]
    subscriber.save()
    subscriber.countries.set(Country.objects.filter(pk__in=prefs["countries"]))


def manage_link(subscriber):
    token = token_for("manage", id=subscriber.pk, email=subscriber.email)
    return absolute(reverse("alerts:manage", kwargs={"token": token}))


def unsubscribe_link(subscriber):
    token = token_for("unsubscribe", id=subscriber.pk, email=subscriber.email)
    return absolute(reverse("alerts:unsubscribe", kwargs={"token": token}))


def subscriber_from(purpose, token):
    data = read_token(purpose, token)
    if not data:
        return None
    return Subscriber.objects.filter(pk=data["id"], email=data["email"]).first()


# Sending alerts


def announce_due_reports():
    """Queue the alerts of every public report not yet announced (each exactly once)."""
    due = Report.objects.public().filter(announcement__isnull=True)
    queued = 0
    for report_id in due.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                Announcement.objects.create(report_id=report_id)
        except IntegrityError:
            continue  # another process announced it first
        send_report_alerts.enqueue(report_id)
        queued += 1
    return queued


def level_changed(report):
    previous = (
        Report.objects.public()
        .filter(country=report.country_id, published_at__lt=report.published_at)
        .order_by("-published_at", "-pk")
        .values_list("alert_level", flat=True)
        .first()
    )
    return previous != report.alert_level


def recipients(report):
    subscribers = Subscriber.objects.filter(confirmed_at__isnull=False).filter(
        Q(all_reports=True) | Q(countries=report.country_id)
    )
    if not level_changed(report):
        subscribers = subscribers.filter(level_changes_only=False)
    return subscribers.distinct()


@task()
def send_report_alerts(report_id):
    report = (
        Report.objects.public()
        .select_related("country")
        .prefetch_related("stages", "attachments")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return 0  # unpublished again before the alerts went out
    sent = 0
    for subscriber in recipients(report):
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(subscriber=subscriber, report=report)
        except IntegrityError:
            continue  # already sent by an earlier run
        try:
            send_alert(subscriber, report)
        except Exception:
            delivery.delete()  # not sent after all: a retry may try again
            raise
        sent += 1
    return sent


def send_alert(subscriber, report):
    unsubscribe = unsubscribe_link(subscriber)
    context = {
        "report": report,
        "site_name": settings.SITE_NAME,
        "report_url": absolute(report.get_absolute_url()),
        "pdfs": [(a, absolute(a.get_absolute_url())) for a in report.attachments.all()],
        "manage_url": manage_link(subscriber),
        "unsubscribe_url": unsubscribe,
    }
    _send(
        to=subscriber.email,
        subject=f"{report.headline}: {report.title}",
        template="alerts/email/alert",
        context=context,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _send(*, to, subject, template, context, headers=None):
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
