"""Checking an uploaded PDF edition before anything is stored.

A file is judged by its bytes, never by its name or the content type the browser claims.
The parsing itself happens in a child process (reports/pdfinspect.py) with a memory ceiling
and a deadline, so that a hostile PDF cannot take a web worker down.
"""

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

PDF_MAGIC = b"%PDF-"

MESSAGES = {
    "not_pdf": "This file is not a PDF. Export the report as PDF and upload that file.",
    "unreadable": "This file starts like a PDF but cannot be read as one; it may be damaged or "
    "incomplete. Export it again and upload the new file.",
    "encrypted": "This PDF is password-protected or encrypted, so readers could not open it. "
    "Save it again without a password and upload that copy.",
    "no_pages": "This PDF has no pages.",
    "active_content": "This PDF contains scripts or actions that would run when it is opened "
    "(JavaScript, launch or open actions). Readers must be able to open it safely: save it "
    "again as a plain PDF (for example with “Print to PDF”) and upload that copy.",
    "embedded_file": "This PDF carries other files inside it. Remove the attachments (or save "
    "it again with “Print to PDF”) and upload that copy.",
    "too_complex": "This PDF is too complex to check within the limits. Save it again with "
    "“Print to PDF” or reduce its size, and upload that copy.",
}


@dataclass(frozen=True)
class PdfFacts:
    size: int
    page_count: int
    sha256: str
    text: str
    preview: bytes | None
    preview_page: int | None
    preview_size: tuple[int, int] | None = None


def refuse(code, **params):
    raise ValidationError(MESSAGES[code], code=code, params=params or None)


def inspect_pdf(file, *, preview_page=1):
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
    if file.read(len(PDF_MAGIC)) != PDF_MAGIC:
        refuse("not_pdf")

    with file_on_disk(file) as path:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
        result, preview = run_inspector(path, preview_page)
    file.seek(0)
    if "error" in result:
        refuse(result["error"])
    return PdfFacts(
        size=size,
        page_count=result["page_count"],
        sha256=digest.hexdigest(),
        text=result["text"],
        preview=preview,
        preview_page=result["preview_page"],
        preview_size=tuple(result["preview_size"]) if result.get("preview_size") else None,
    )


@contextmanager
def file_on_disk(file):
    """A path to the upload: its temporary file if it has one, else a copy made now."""
    if hasattr(file, "temporary_file_path"):
        yield file.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        file.seek(0)
        for chunk in iter(lambda: file.read(1 << 16), b""):
            copy.write(chunk)
        copy.flush()
        yield copy.name


def _limit_child():
    limit = settings.PDF_CHECK_MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_inspector(path, preview_page):
    with tempfile.TemporaryDirectory() as folder:
        preview_path = os.path.join(folder, "preview.webp")
        try:
            completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
                [sys.executable, "-m", "reports.pdfinspect", path, str(preview_page), preview_path],
                capture_output=True,
                timeout=settings.PDF_CHECK_SECONDS,
                preexec_fn=_limit_child,
                cwd=settings.BASE_DIR,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"error": "too_complex"}, None
        try:
            result = json.loads(completed.stdout or b"{}")
        except ValueError:
            result = {}
        if completed.returncode != 0 or not result:
            # Killed by the memory ceiling, or crashed: either way, not a PDF we can take.
            return {"error": "too_complex" if completed.returncode < 0 else "unreadable"}, None
        preview = None
        if result.get("preview_page") and os.path.exists(preview_path):
            with open(preview_path, "rb") as handle:
                preview = handle.read()
        return result, preview
