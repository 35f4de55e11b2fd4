"""Stored files that nothing refers to any more: no attachment, no report, no revision."""

from django.core.files.storage import default_storage

from .models.files import file_is_in_a_revision, file_is_in_use

FOLDERS = ("attachments", "previews", "images")


def stored_names(storage, folder):
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{name}" for name in files]


def find_orphans(storage=None):
    storage = storage or default_storage
    return [
        name
        for folder in FOLDERS
        for name in stored_names(storage, folder)
        if not file_is_in_use(name) and not file_is_in_a_revision(name)
    ]
