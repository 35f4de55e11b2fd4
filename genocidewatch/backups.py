"""One archive holding all content and every stored file, with a manifest of checksums.

`manage.py backup` writes it; `manage.py restore` loads it into an empty instance (after
`migrate`), on SQLite or PostgreSQL alike, and verifies every checksum as it goes.
"""

import gzip
import hashlib
import io
import json
import tarfile
import zlib
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


# Every way an archive can be wrong gets one sentence: what is wrong, then what to do.
DAMAGED = (
    "The archive is damaged or incomplete (it was cut short or changed in transit), so "
    "nothing was restored; copy it again from where your backups are kept, or use an "
    "earlier backup."
)
NOT_OURS = "give the .tar.gz file that `manage.py backup` wrote"
ALTERED = "use a backup exactly as `manage.py backup` wrote it"
GZIP_MAGIC = b"\x1f\x8b"


def _is_stored_name(name):
    """A name as `stored_files` gives it: one of our folders, then one plain file name.

    Anything else (`..`, an absolute path, a deeper folder) could land outside the media
    folder, so the archive is refused before anything is read from it.
    """
    folder, _, filename = name.partition("/")
    return (
        folder in set(Folder)
        and filename not in {"", ".", ".."}
        and not any(character in filename for character in "/\\\0")
    )


def _check_compression(path):
    """Tell a file that is not gzip from one that is gzip but cut short or corrupted."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(2)
    except FileNotFoundError:
        raise BackupError(
            f"There is no file at {path}; give the path of an archive that "
            "`manage.py backup` wrote."
        ) from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not an archive; {NOT_OURS}.") from None
    if magic != GZIP_MAGIC:
        raise BackupError(
            f"{path} is not a backup archive (it is not gzip-compressed); {NOT_OURS}."
        )
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except (EOFError, OSError, zlib.error) as error:
        raise BackupError(DAMAGED) from error


def _read_members(path):
    """{name: bytes} of every member, the archive read through once."""
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed below
    except tarfile.ReadError as error:
        raise BackupError(
            f"{path} is gzip-compressed but holds no tar archive, so it is not a backup; "
            f"{NOT_OURS}."
        ) from error
    members = {}
    try:
        with archive:
            for member in archive:
                if not member.isreg():
                    raise BackupError(
                        f"The archive holds {member.name}, which is not a plain file, so it "
                        f"was not written by `manage.py backup`; {ALTERED}."
                    )
                members[member.name] = archive.extractfile(member).read()
    except (EOFError, OSError, zlib.error, tarfile.TarError) as error:
        raise BackupError(DAMAGED) from error
    return members


def _read_manifest(members):
    if "manifest.json" not in members:
        raise BackupError(
            f"The archive has no manifest.json, so it is not a whole backup; {NOT_OURS}."
        )
    try:
        manifest = json.loads(members["manifest.json"])
        files = manifest["files"]
        data = manifest["data"]
        if not isinstance(files, dict) or not isinstance(data["sha256"], str):
            raise TypeError
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(
            f"The archive's manifest.json is not one that `manage.py backup` writes; {ALTERED}."
        ) from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError("This archive was written by another version of the backup.")
    return manifest


def _check_contents(manifest, members):
    """The manifest and the members name the same files, every one inside the media folder."""
    expected = {f"files/{name}" for name in manifest["files"]} | {"data.json", "manifest.json"}
    stored = [name.removeprefix("files/") for name in members if name.startswith("files/")]
    for name in [*manifest["files"], *stored]:
        if not _is_stored_name(name):
            raise BackupError(
                f"The archive names the file {name}, whose path leads outside the media "
                f"folder, so nothing was restored; {ALTERED}."
            )
    unlisted = sorted(set(members) - expected)
    if unlisted:
        raise BackupError(
            f"The archive holds {unlisted[0]}, which its manifest does not list, so it was "
            f"changed after it was written; {ALTERED}."
        )
    missing = sorted(expected - set(members))
    if missing:
        raise BackupError(
            f"The manifest lists {missing[0]}, which is missing from the archive, so the "
            "archive is incomplete; use another backup."
        )


def instance_is_empty():
    Report = apps.get_model("reports", "Report")
    User = apps.get_model("auth", "User")
    return not Report.objects.exists() and not User.objects.exists()


def read_backup(path):
    """(manifest, data, {stored name: bytes}) of an archive, every part of it checked."""
    _check_compression(path)
    members = _read_members(path)
    manifest = _read_manifest(members)
    _check_contents(manifest, members)
    data = members["data.json"]
    if sha256(data) != manifest["data"]["sha256"]:
        raise BackupError("The content in the archive does not match its checksum.")
    files = {}
    for name, expected in manifest["files"].items():
        content = members[f"files/{name}"]
        if sha256(content) != expected.get("sha256"):
            raise BackupError(f"{name} in the archive does not match its checksum.")
        files[name] = content
    return manifest, data, files


def restore_backup(path, storage=default_storage):
    """Load an archive into this (empty) instance; raise BackupError on any mismatch.

    Everything is checked before anything is loaded, and a failure while storing the files
    undoes the whole restore: the instance is left as empty as it was.
    """
    if not instance_is_empty():
        raise BackupError("This instance already has reports or users; restore needs an empty one.")
    manifest, data, files = read_backup(path)
    written = []
    try:
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
            # Loaded raw, without the signals that note a translated original.
            from reports.translations import mark_translated_originals

            mark_translated_originals()
            for name, content in files.items():
                if storage.exists(name):
                    storage.delete(name)
                saved = storage.save(name, ContentFile(content))
                written.append(saved)
                if saved != name:
                    raise BackupError(f"Storage renamed {name} to {saved}.")
            for name in written:
                with storage.open(name, "rb") as handle:
                    if sha256(handle.read()) != manifest["files"][name]["sha256"]:
                        raise BackupError(f"{name} was not stored intact.")
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    return manifest
