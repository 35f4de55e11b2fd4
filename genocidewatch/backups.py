"""One archive holding all content and every stored file, with a manifest of checksums.

`manage.py backup` writes it; `manage.py restore` loads it into an empty instance (after
`migrate`), on SQLite or PostgreSQL alike, and verifies every checksum as it goes.
"""

import hashlib
import io
import json
import tarfile
from datetime import UTC, datetime

from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from .storedfiles import Folder

FORMAT_VERSION = 1
# Made again by `migrate`, or worthless outside the running instance.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "django_tasks_database",
]
# Models that moved to another app after older archives were written: old label → new.
MOVED_MODELS = {
    "follow.subscriber": "alerts.subscriber",
    "follow.announcement": "alerts.announcement",
    "follow.delivery": "alerts.delivery",
}


class BackupError(Exception):
    pass


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def stored_files(storage):
    for folder in Folder:
        try:
            _, names = storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in sorted(names):
            yield f"{folder}/{name}"


def _add(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def write_backup(path, storage=default_storage):
    out = io.StringIO()
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=EXCLUDED,
        stdout=out,
    )
    data = out.getvalue().encode()
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "data": {"name": "data.json", "sha256": sha256(data), "objects": len(json.loads(data))},
        "files": {},
    }
    with tarfile.open(path, "w:gz") as archive:
        _add(archive, "data.json", data)
        for name in stored_files(storage):
            with storage.open(name, "rb") as handle:
                content = handle.read()
            manifest["files"][name] = {"sha256": sha256(content), "size": len(content)}
            _add(archive, f"files/{name}", content)
        _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
    return manifest


def _read(archive, name):
    member = archive.getmember(name)
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError(f"{name} is not a file in the archive.")
    return handle.read()


def instance_is_empty():
    Report = apps.get_model("reports", "Report")
    User = apps.get_model("auth", "User")
    return not Report.objects.exists() and not User.objects.exists()


def restore_backup(path, storage=default_storage):
    """Load an archive into this (empty) instance; raise BackupError on any mismatch."""
    if not instance_is_empty():
        raise BackupError("This instance already has reports or users; restore needs an empty one.")
    with tarfile.open(path, "r:gz") as archive:
        manifest = json.loads(_read(archive, "manifest.json"))
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError("This archive was written by another version of the backup.")
        data = _read(archive, "data.json")
        if sha256(data) != manifest["data"]["sha256"]:
            raise BackupError("The content in the archive does not match its checksum.")
        files = {}
        for name, expected in manifest["files"].items():
            content = _read(archive, f"files/{name}")
            if sha256(content) != expected["sha256"]:
                raise BackupError(f"{name} in the archive does not match its checksum.")
            files[name] = content

    with transaction.atomic():
        rows = json.loads(data)
        for row in rows:
            row["model"] = MOVED_MODELS.get(row["model"], row["model"])
        objects = list(serializers.deserialize("python", rows, handle_forward_references=True))
        for obj in objects:
            obj.save()
        for obj in objects:
            if obj.deferred_fields:
                obj.save_deferred_fields()
    written = []
    for name, content in files.items():
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(content))
        if saved != name:
            raise BackupError(f"Storage renamed {name} to {saved}.")
        written.append(name)
    for name in written:
        with storage.open(name, "rb") as handle:
            if sha256(handle.read()) != manifest["files"][name]["sha256"]:
                raise BackupError(f"{name} was not stored intact.")
    return manifest
