"""Checking an uploaded PDF edition before anything is stored.

A file is judged by its bytes, never by its name or the content type the browser claims.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from pypdf import PdfReader
from pypdf.errors import PyPdfError

PDF_MAGIC = b"%PDF-"
logger = logging.getLogger(__name__)


# Enough text for search to find a report by what its PDF says, and bounded, so that a
# huge PDF cannot make the search index or a worker's memory balloon.
MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True)
class PdfFacts:
    size: int
    page_count: int
    sha256: str
    text: str


def inspect_pdf(file):
    """Return the facts about an uploaded PDF, or raise ValidationError saying what is wrong."""
    size = file.size
    if not size:
        raise ValidationError("The file is empty. Choose the PDF edition again.", code="empty")
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            "The file is %(size)s; the largest PDF the site accepts is %(limit)s.",
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )

    file.seek(0)
    if not file.read(len(PDF_MAGIC)) == PDF_MAGIC:
        raise ValidationError(
            "This file is not a PDF. Export the report as PDF and upload that file.",
            code="not_pdf",
        )

    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 16), b""):
        digest.update(chunk)

    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                "This PDF is password-protected or encrypted, so readers could not open it. "
                "Save it again without a password and upload that copy.",
                code="encrypted",
            )
        page_count = len(reader.pages)
        text = extract_text(reader)
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
    ) as exc:
        raise ValidationError(
            "This file starts like a PDF but cannot be read as one; it may be damaged or "
            "incomplete. Export it again and upload the new file.",
            code="unreadable",
        ) from exc
    finally:
        file.seek(0)
    if page_count < 1:
        raise ValidationError("This PDF has no pages.", code="no_pages")
    return PdfFacts(size=size, page_count=page_count, sha256=digest.hexdigest(), text=text)


def extract_text(reader):
    parts, length = [], 0
    for page in reader.pages:
        try:
            chunk = page.extract_text() or ""
        except Exception:
            # A page whose text cannot be read leaves the PDF valid, only less searchable.
            logger.info("Skipped the unreadable text of a PDF page", exc_info=True)
            continue
        parts.append(chunk)
        length += len(chunk)
        if length >= MAX_TEXT_CHARS:
            break
    # NUL characters are valid in PDF text but refused by PostgreSQL text columns.
    return " ".join(" ".join(parts).replace("\x00", " ").split())[:MAX_TEXT_CHARS]
