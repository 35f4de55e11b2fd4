"""Stored files that nothing refers to any more: no attachment, no report, no revision."""

from django.core.files.storage import default_storage

from genocidewatch.storedfiles import Folder
from sharing.cards import current_card_names

from .models.files import file_is_in_a_revision, file_is_in_use


def stored_names(storage, folder):
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{name}" for name in files]


def find_orphans(storage=None):
    storage = storage or default_storage
    cards = current_card_names()
    orphans = []
    for folder in Folder:
        for name in stored_names(storage, folder):
            if folder == Folder.CARDS:
                # A card is drawn again whenever asked for, so only the current ones are kept.
                unused = name not in cards
            else:
                unused = not file_is_in_use(name) and not file_is_in_a_revision(name)
            if unused:
                orphans.append(name)
    return orphans
