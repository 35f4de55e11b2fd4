"""Common Alerting Protocol 1.2 messages of our reports (OASIS CAP 1.2).

Each public report is an Alert; once changes were published onto it (a `Correction`), an
Update that references the earlier messages. Withdrawing a report that was public
(unpublishing or deleting it) makes a Cancel that references them by identifier only:
see `withdraw` and the README ("CAP alerts").

Identifiers are `<sender>.report.<id>.<publication>` (and `.update.<correction id>`), the
publication being how many times the report was withdrawn before, so a report published
again after a Cancel is a new Alert, never one that was cancelled.
"""

import xml.etree.ElementTree as ET
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from reports.models import AlertLevel

from .models import CapCancellation

NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml; charset=utf-8"

# How each alert level reads in CAP's own terms (written out in the README):
# (urgency, severity, certainty).
LEVELS = {
    AlertLevel.WATCH: ("Future", "Moderate", "Possible"),
    AlertLevel.WARNING: ("Expected", "Severe", "Likely"),
    AlertLevel.EMERGENCY: ("Immediate", "Extreme", "Observed"),
}
GEOCODE_NAME = "ISO 3166-1 alpha-2"

ET.register_namespace("", NAMESPACE)


def sender():
    """Who sends our messages: `CAP_SENDER`, by default the host of `SITE_URL`."""
    return settings.CAP_SENDER or urlsplit(settings.SITE_URL).hostname or "localhost"


def cap_time(moment):
    # CAP 1.2 wants seconds and a numeric offset; "Z" and fractions are not allowed.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def withdrawals(report_ids):
    """{report id: [times it was withdrawn]} for these reports, in one query."""
    found = {}
    rows = CapCancellation.objects.filter(report_id__in=report_ids).values_list("report_id", "sent")
    for report_id, sent in rows:
        found.setdefault(report_id, []).append(sent)
    return found


def messages_of(report, withdrawn=None):
    """[(identifier, sent, correction)] of every message of the report's current
    publication: its Alert, then an Update for each change published onto it since.
    `withdrawn`: the times it was withdrawn before (read here when not given)."""
    if withdrawn is None:
        withdrawn = withdrawals([report.pk]).get(report.pk, [])
    last = max(withdrawn, default=None)
    base = f"{sender()}.report.{report.pk}.{len(withdrawn)}"
    # Published again after a Cancel: the new Alert is dated no earlier than that Cancel.
    found = [(base, max(report.published_at, last or report.published_at), None)]
    for correction in report.corrections.all():
        if last and correction.made_at <= last:
            continue  # made on an earlier publication, cancelled since
        found.append((f"{base}.update.{correction.pk}", correction.made_at, correction))
    return found


def reference(identifier, sent):
    return f"{sender()},{identifier},{cap_time(sent)}"


def _add(parent, name, text=None):
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _header(root, *, identifier, sent, kind):
    _add(root, "identifier", identifier)
    _add(root, "sender", sender())
    _add(root, "sent", cap_time(sent))
    _add(root, "status", "Actual")
    _add(root, "msgType", kind)
    _add(root, "scope", "Public")


def message(report, *, url):
    """The report's latest message (an Alert, or an Update), as bytes of XML."""
    history = messages_of(report)
    identifier, sent, correction = history[-1]
    root = ET.Element(f"{{{NAMESPACE}}}alert")
    _header(root, identifier=identifier, sent=sent, kind="Update" if correction else "Alert")
    if correction is not None:
        _add(root, "note", correction.note or "Typing errors corrected.")
        _add(root, "references", " ".join(reference(i, s) for i, s, _ in history[:-1]))
    urgency, severity, certainty = LEVELS[AlertLevel(report.alert_level)]
    info = _add(root, "info")
    _add(info, "language", "en")
    _add(info, "category", "Security")
    _add(info, "event", report.get_alert_level_display())
    _add(info, "urgency", urgency)
    _add(info, "severity", severity)
    _add(info, "certainty", certainty)
    _add(info, "effective", cap_time(report.published_at))
    _add(info, "senderName", settings.SITE_NAME)
    _add(info, "headline", report.headline)
    _add(info, "description", report.summary)
    recommendations = [f"{r.addressee.name} {r.text}" for r in report.recommendations.all()]
    if recommendations:
        _add(info, "instruction", "\n".join(recommendations))
    _add(info, "web", url)
    area = _add(info, "area")
    _add(area, "areaDesc", report.country.name)
    geocode = _add(area, "geocode")
    _add(geocode, "valueName", GEOCODE_NAME)
    _add(geocode, "value", report.country.code.code)
    return _serialise(root)


def cancel_message(cancellation):
    root = ET.Element(f"{{{NAMESPACE}}}alert")
    _header(root, identifier=cancellation.identifier, sent=cancellation.sent, kind="Cancel")
    _add(root, "note", "Withdrawn by the publisher.")
    _add(root, "references", cancellation.references)
    return _serialise(root)


def _serialise(root):
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def withdraw(report):
    """Cancel the messages of a report that readers had and no longer have. Called when
    it is unpublished or deleted while public; a report that never was public has sent
    no message, and gets no Cancel."""
    if not report.is_public or report.is_pending_changes:
        return None
    history = messages_of(report)
    now = timezone.now()
    base = history[0][0]
    return CapCancellation.objects.create(
        identifier=f"{base}.cancel",
        report_id=report.pk,
        references=" ".join(reference(i, s) for i, s, _ in history),
        sent=now,
    )
