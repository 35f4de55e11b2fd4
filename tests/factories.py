"""Small builders for test data. Each returns saved rows with sensible defaults."""

import io
import itertools
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image
from pypdf import PdfWriter

from reports import uploads
from reports.models import (
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
from reports.textpdf import text_pdf

_sequence = itertools.count(1)


def pdf_bytes(text="A test edition of a report."):
    return text_pdf([text], title="Test edition")


def encrypted_pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name="edition.pdf", content=None, content_type="application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type)


def country(code="ML", **fields):
    return Country.objects.get_or_create(code=code, defaults=fields)[0]


def addressee(name=None, **fields):
    name = name or f"Addressee {next(_sequence)}"
    fields.setdefault("slug", slugify(name.removeprefix("The ")))
    return Addressee.objects.get_or_create(name=name, defaults=fields)[0]


def author(name="Esme Matthews"):
    return Author.objects.get_or_create(name=name)[0]


def report(**fields):
    n = next(_sequence)
    fields.setdefault("country", country())
    fields.setdefault("year", 2023)
    fields.setdefault("alert_level", AlertLevel.EMERGENCY)
    fields.setdefault("title", f"Country Report {n}")
    fields.setdefault("slug", f"country-report-{n}")
    fields.setdefault("summary", "A short summary of the report.")
    fields.setdefault("body", "<p>The report's text.</p>")
    return Report.objects.create(**fields)


def published_report(**fields):
    fields.setdefault("status", Report.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(days=1))
    return report(**fields)


def draft_report(**fields):
    return report(status=Report.Status.DRAFT, **fields)


def scheduled_report(**fields):
    fields.setdefault("published_at", timezone.now() + timedelta(days=3))
    return report(status=Report.Status.PUBLISHED, **fields)


def attachment(report, name="edition.pdf", content=None, **fields):
    edition = uploads.attach_pdf(Attachment(report=report, **fields), pdf_upload(name, content))
    edition.save()
    return edition


def furnish(report, *, stages=(5, 6, 8), recommendations=2, attachments=1, authors=1):
    """Give a report stages, recommendations, attachments and authors."""
    report.stages.set(Stage.objects.filter(number__in=stages))
    for i in range(recommendations):
        Recommendation.objects.create(
            report=report, addressee=addressee(), text=f"should act on point {i}.", order=i
        )
    for i in range(attachments):
        attachment(report, name=f"edition-{i}.pdf")
    for i in range(authors):
        Authorship.objects.create(report=report, author=author(f"Author {report.pk}-{i}"), order=i)
    return report


def _written(writer):
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _one_page_writer():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def pdf_with_javascript():
    from pypdf.actions import JavaScript

    writer = _one_page_writer()
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return _written(writer)


def pdf_with_launch_action():
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = _one_page_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    return _written(writer)


def pdf_with_embedded_file():
    writer = _one_page_writer()
    writer.add_attachment("payload.exe", b"MZ not really a program")
    return _written(writer)


def pdf_with_hidden_javascript_name():
    """JavaScript whose name is spelled with #xx escapes, as evasive files do."""
    return pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS", b"/J#53")


def image_upload(name="picture.png", size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def with_lead_image(report, size=(1200, 800), alt="A road through the dry season."):
    """Give a report a lead image, checked and processed as an upload is."""
    uploads.set_lead_image(report, image_upload(size=size))
    report.lead_image_alt = alt
    report.save()
    return report
