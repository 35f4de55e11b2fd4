"""Reading a report's revisions: the list for its history page, and what changed between two."""

import difflib
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join, strip_tags
from reversion.models import Version

from ..models import (
    Addressee,
    AlertLevel,
    Attachment,
    Author,
    Authorship,
    Country,
    Recommendation,
    Report,
    Stage,
)

# The report's fields in the order a reader of the difference expects them.
FIELDS = [
    ("title", "Title"),
    ("headline_override", "Headline"),
    ("country", "Country"),
    ("year", "Year"),
    ("alert_level", "Alert level"),
    ("summary", "Summary"),
    ("body", "Text"),
    ("stages", "Stages"),
    ("status", "State"),
    ("published_at", "Publication time"),
    ("slug", "Address"),
]


@dataclass
class Change:
    label: str
    old: str
    new: str

    @property
    def diff(self):
        return word_diff(self.old, self.new)


def report_versions(report):
    """The report's own versions, newest first, each with its revision's author at hand."""
    versions = (
        Version.objects.get_for_object(report)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )
    for version in versions:
        version.status_label = Report.Status(version.field_dict["status"]).label
    return list(versions)


def _text(version, name):
    fields = version.field_dict
    value = fields.get("country_id") if name == "country" else fields.get(name)
    if name == "body":
        return strip_tags(value or "")
    if name == "stages":
        names = dict(Stage.objects.filter(pk__in=value or []).values_list("pk", "name"))
        return ", ".join(names[pk] for pk in sorted(names))
    if name == "country":
        return str(Country.objects.filter(pk=value).first() or "")
    if name == "alert_level":
        return AlertLevel(value).label
    if name == "status":
        return Report.Status(value).label
    return "" if value is None else str(value)


def _related(version, model, describe):
    rows = version.revision.version_set.get_for_model(model)
    return "\n".join(sorted(describe(v.field_dict) for v in rows))


def _recommendations(fields):
    addressee = Addressee.objects.filter(pk=fields["addressee_id"]).first()
    return f"{fields['order']}. {addressee or '(removed addressee)'} {fields['text']}"


def _attachments(fields):
    return f"{fields['original_name']} ({fields['size']} bytes, SHA-256 {fields['sha256'][:12]}…)"


def _authors(fields):
    return str(Author.objects.filter(pk=fields["author_id"]).first() or "(removed author)")


def compare_versions(old, new):
    """Each field and part of the report that differs between two versions."""
    changes = [Change(label, _text(old, name), _text(new, name)) for name, label in FIELDS]
    for label, model, describe in [
        ("Byline", Authorship, _authors),
        ("Recommendations", Recommendation, _recommendations),
        ("PDF editions", Attachment, _attachments),
    ]:
        changes.append(
            Change(label, _related(old, model, describe), _related(new, model, describe))
        )
    return [change for change in changes if change.old != change.new]


def word_diff(old, new):
    """HTML showing removed words struck through and added words underlined."""
    a, b = old.split(), new.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("{}", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("<del>{}</del>", " ".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("<ins>{}</ins>", " ".join(b[j1:j2])))
    return format_html_join(" ", "{}", ((format_html(template, text),) for template, text in parts))
