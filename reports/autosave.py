"""Autosave: the text someone is writing in a report's form, kept on the server every
30 seconds and when the page is hidden, beside the report and never on it.

An autosave makes no revision and never touches the report, so it cannot overwrite anyone's
save; it records the edit counter the form was opened with, so text restored from it goes
through the same stale-edit check as any save (ReportAdminForm.clean).
"""

from .models import Autosave
from .richtext import sanitize_html

# What is kept: everything typed at length in the report's own form.
FIELDS = [
    "title",
    "summary",
    "body",
    "headline_override",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    *(f"{kind}_{n}" for n in range(1, 11) for kind in ("evidence", "source")),
]


def keep(*, report, user, data, based_on_version):
    fields = {name: data[name][:100_000] for name in FIELDS if name in data}
    if "body" in fields:
        fields["body"] = sanitize_html(fields["body"])
    saved, _ = Autosave.objects.update_or_create(
        report=report,
        user=user,
        defaults={"fields": fields, "based_on_version": based_on_version},
    )
    return saved


def _saved_text(report):
    text = {name: getattr(report, name) for name in FIELDS if hasattr(report, name)}
    for evidence in report.stage_evidence.select_related("stage"):
        text[f"evidence_{evidence.stage.number}"] = evidence.note
        text[f"source_{evidence.stage.number}"] = evidence.source
    return text


def offered(*, report, user):
    """The person's autosave of this report (or of a new one) if it holds text never saved:
    made after the report's last save and saying something the report does not."""
    autosave = Autosave.objects.filter(report=report, user=user).first()
    if autosave is None:
        return None
    if report is None:
        return autosave if any(v.strip() for v in autosave.fields.values()) else None
    if autosave.saved_at <= report.updated_at:
        return None
    saved = _saved_text(report)
    differs = any(
        (value or "").strip() != (saved.get(name) or "").strip()
        for name, value in autosave.fields.items()
    )
    return autosave if differs else None


def forget(*, report, user):
    Autosave.objects.filter(report=report, user=user).delete()
