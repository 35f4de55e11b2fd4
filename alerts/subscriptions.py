"""Email alerts: double opt-in, one email per subscriber per report, one-click unsubscribe.

Sending happens outside the request, as tasks (django.tasks): run at once in development
and tests, by `manage.py db_worker` in production. Publishing a report queues its alerts
(`announce`): to run as soon as the publication is committed, or at a scheduled report's
time. `manage.py send_due_alerts` is a safety net for anything that slipped through.
"""

import email.policy
import hashlib
import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from genocidewatch.links import link
from pages.chrome import identity as site_identity
from reports.models import AlertLevel, Country, Report, StatusChange
from reports.translations import editions_in

from .models import Announcement, Delivery, Subscriber

CONFIRM_MAX_AGE = 3 * 24 * 3600

logger = logging.getLogger(__name__)


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
        "language": subscriber.language,
    }


def email_language(code):
    """A language the site has, for a subscriber's emails; the default for anything else
    (a link signed before subscribers chose, a language since taken off the site)."""
    codes = [language for language, _ in settings.LANGUAGES]
    return code if code in codes else settings.LANGUAGE_CODE


def request_subscription(*, email, prefs):
    """Send the one confirmation email, in the language chosen on the form. The same
    happens whatever the address's state, so the response says nothing about who is
    subscribed."""
    token = token_for("confirm", email=email, **prefs)
    with translation.override(email_language(prefs.get("language"))):
        link = absolute(reverse("alerts:confirm", kwargs={"token": token}))
        context = {
            "link": link,
            "site_name": site_identity().name,
            "days": CONFIRM_MAX_AGE // 86400,
        }
        _message(
            to=email,
            subject=gettext("Confirm your %(site)s alerts") % {"site": site_identity().name},
            template="alerts/email/confirm",
            context=context,
        ).send()


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
    if "language" in prefs:
        subscriber.language = email_language(prefs["language"])
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


def announce(report):
    """Have subscribers told of `report` once, when it becomes public.

    Called inside the transaction that publishes it: the announcement is queued only once
    that transaction commits, so the task reads the report as published, never the state
    before. A report public now is announced at once; a scheduled one is queued to run at
    its publication time (`run_after`) for the worker. A backend that cannot wait (the
    immediate one of development and tests) leaves scheduled reports to `send_due_alerts`.
    """
    report_id, at = report.pk, report.published_at
    # Robust: a queue that fails must not turn a committed publication into an error page;
    # the safety net announces the report later.
    transaction.on_commit(lambda: _queue(report_id, at), robust=True)


def _queue(report_id, at):
    if at > timezone.now():
        if not send_report_alerts.get_backend().supports_defer:
            return
        send_report_alerts.using(run_after=at).enqueue(report_id)
    else:
        send_report_alerts.enqueue(report_id)


def announce_due_reports():
    """The safety net: queue the alerts of every public report not yet announced.

    Each report is announced once however often this runs (the task claims the report's
    `Announcement`); it catches scheduled reports when the task backend cannot wait, and
    anything whose task was lost.
    """
    due = Report.objects.public().filter(announcement__isnull=True)
    queued = 0
    for report_id in due.values_list("pk", flat=True):
        send_report_alerts.enqueue(report_id)
        queued += 1
    return queued


def level_changed(report):
    # A report not yet given a time (the editor's preview of a draft) counts as published now.
    published_at = report.published_at or timezone.now()
    previous = (
        Report.objects.public()
        .filter(country=report.country_id, published_at__lt=published_at)
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
    """Email a report's subscribers, if it is public and not yet announced.

    Checked when the task runs, not when it was queued: a report unpublished or put off to
    a later time since then is not announced by this run (the later time has its own task).
    """
    report = (
        Report.objects.public()
        .select_related("country")
        .prefetch_related("stages", "attachments")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return 0
    try:
        with transaction.atomic():
            Announcement.objects.create(report=report)
    except IntegrityError:
        return 0  # announced already, by an earlier task or the safety net
    return _deliver(report, recipients(report))


def _deliver(report, subscribers, **about):
    """Send each subscriber the alert about `report` (and `about` a level change) once: a
    delivery record claims it first, and a refused send is kept on that record."""
    sent = 0
    for subscriber in subscribers:
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    subscriber=subscriber, report=report, correction=about.get("correction")
                )
        except IntegrityError:
            continue  # this subscriber has had it
        try:
            alert_message(subscriber, report, **about).send()
        except Exception as error:
            # One refused address must not stop the others; the editor sees it in the
            # report's alert page.
            logger.warning("Alert for report %s not sent", report.pk, exc_info=True)
            delivery.status = Delivery.Status.FAILED
            delivery.error = f"{type(error).__name__}: {error}"[:2000]
            delivery.save(update_fields=["status", "error"])
            continue
        sent += 1
    return sent


def announce_level_change(correction, *, previous_level):
    """Tell subscribers of the country that published changes moved the report's alert
    level (queued once the changes are committed). A correction that leaves the level as it
    was is not announced: the page shows it, and nobody is emailed about a typo."""
    correction_id = correction.pk
    transaction.on_commit(
        lambda: send_level_change_alerts.enqueue(correction_id, previous_level), robust=True
    )


@task()
def send_level_change_alerts(correction_id, previous_level):
    """Email every subscriber of the report's country (the "level changes only" ones
    included) that its alert level changed, once each."""
    from reports.models import Correction

    correction = (
        Correction.objects.select_related("report__country")
        .filter(pk=correction_id, report__in=Report.objects.public())
        .first()
    )
    if correction is None:
        return 0
    report = correction.report
    subscribers = (
        Subscriber.objects.filter(confirmed_at__isnull=False)
        .filter(Q(all_reports=True) | Q(countries=report.country_id))
        .distinct()
    )
    return _deliver(report, subscribers, correction=correction, previous_level=previous_level)


def status_change(report, *, correction=None):
    """The change of the country's assessment this alert tells of, with its reason: the
    one the published changes made, or the one the report's publication made."""
    if correction is not None:
        return StatusChange.objects.filter(correction=correction).first()
    return StatusChange.objects.filter(report=report, correction__isnull=True).first()


def report_for_reader(report, language):
    """The version of `report` to email a subscriber who reads `language`: (report, in the
    original). Its public translation into `language` when there is one; else the original,
    with a sentence saying so in any other language."""
    translated = report.in_language(language)
    if translated is not None:
        return translated, False
    original = getattr(report, "language", None) or settings.LANGUAGE_CODE
    return report, language != original


def alert_message(subscriber, report, *, correction=None, previous_level=None):
    """The alert email about `report` for `subscriber`, ready to send, in the subscriber's
    language; with `correction`, about published changes that moved its alert level from
    `previous_level`."""
    language = email_language(subscriber.language)
    with translation.override(language):
        shown, in_original = report_for_reader(report, language)
        original = getattr(shown, "language", None) or settings.LANGUAGE_CODE
        unsubscribe = unsubscribe_link(subscriber)
        context = {
            "report": shown,
            "in_original": in_original,
            "report_language": original,
            "original_language": translation.get_language_info(original)["name_translated"],
            "correction": correction,
            "change": status_change(report, correction=correction),
            "previous_level": AlertLevel(previous_level).label if previous_level else "",
            "site_name": site_identity().name,
            # The page in the subscriber's language: the translation, or the original with
            # the site around it in their language and a note that it is not translated yet.
            "report_url": absolute(link("reports:detail", slug=shown.slug)),
            "pdfs": [
                (a, absolute(a.get_absolute_url()))
                for a in editions_in(report.attachments.all(), shown.language)
            ],
            "manage_url": manage_link(subscriber),
            "unsubscribe_url": unsubscribe,
        }
        subject = shown.full_title
        if correction is not None:
            subject = gettext("Alert level changed: %(subject)s") % {"subject": subject}
        return _message(
            to=subscriber.email,
            subject=subject,
            template="alerts/email/alert",
            context=context,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )


class Email(EmailMultiAlternatives):
    """An email whose header lines are not folded before the 998 characters RFC 5322 allows.

    Python folds at 78 by default, and a long link in `List-Unsubscribe`, having no space to
    fold at, becomes an RFC 2047 encoded-word that mail programs' one-click unsubscribe
    cannot read. Headers are still folded at spaces past the limit.
    """

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def identity_context():
    """The organisation as its emails show it: name, description, colours, and the logo
    when it is a PNG (many mail programs show no SVG)."""
    identity = site_identity()
    return {
        "site_name": identity.name,
        "site_url": absolute("/"),
        "identity": identity,
        "email_logo_url": absolute(identity.logo_url()) if identity.logo_kind == "png" else "",
    }


def sender():
    """The configured sender's address, under the organisation's current name."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((site_identity().name, address)) if address else settings.DEFAULT_FROM_EMAIL


def _message(*, to, subject, template, context, headers=None):
    context = {**identity_context(), **context}
    message = Email(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=sender(),
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
