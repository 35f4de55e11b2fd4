"""Names for stored files and for the files readers download."""

import unicodedata
from functools import lru_cache
from pathlib import PurePosixPath

from django.utils.text import slugify

from genocidewatch.storedfiles import Folder, new_name

MAX_NAME_LENGTH = 120


def attachment_storage_name(instance, filename):
    return new_name(Folder.ATTACHMENTS, "pdf")


def preview_storage_name(instance, filename):
    return new_name(Folder.PREVIEWS, "webp")


def clean_original_name(name):
    """The uploader's file name, made safe to display and to offer in Content-Disposition.

    Keeps letters of any script; drops folders, control and invisible formatting characters
    (including bidirectional overrides that could disguise the extension).
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in {"C", "Z"} or ch == " ")
    name = " ".join(name.split()).strip(" .")
    stem = PurePosixPath(name).stem if name.lower().endswith(".pdf") else name
    stem = stem.strip(" .")[: MAX_NAME_LENGTH - 4] or "report"
    return f"{stem}.pdf"


@lru_cache(maxsize=4096)
def url_filename(name):
    """The ASCII name that ends an attachment's URL, e.g. `mali-country-report-2023.pdf`.
    Remembered: a report page names each edition's address three times."""
    stem = slugify(PurePosixPath(name).stem) or "report"
    return f"{stem}.pdf"
