"""An archive uploaded in the admin: kept in storage between its dry run and the confirmed
import, and unpacked into a private temporary folder to be read."""

import hashlib
import io
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.core.files.storage import default_storage

from genocidewatch.storedfiles import Folder, new_name

from .manifest import ManifestError

KINDS = (".zip", ".csv", ".json")
# A zip names its sizes itself, so a "bomb" is refused before anything is written.
MAX_UNPACKED_BYTES = 2 * 1000 * 1000 * 1000
MAX_MEMBERS = 5000


def keep(upload):
    """Store the upload; return (stored name, SHA-256)."""
    suffix = PurePosixPath(upload.name.lower()).suffix
    if suffix not in KINDS:
        raise ManifestError(
            "Upload the manifest (.csv or .json) or a .zip holding the manifest and its PDFs."
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = default_storage.save(new_name(Folder.IMPORTS, suffix.lstrip(".")), upload)
    return name, digest.hexdigest()


def forget(name):
    if name and name.startswith(f"{Folder.IMPORTS}/"):
        default_storage.delete(name)


@contextmanager
def unpacked(name, sha256):
    """The manifest's path inside a temporary folder holding the upload, unpacked."""
    folder = Path(tempfile.mkdtemp(prefix="archive-import-"))
    try:
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ManifestError("The uploaded archive changed since its dry run; upload it again.")
        suffix = PurePosixPath(name).suffix
        if suffix == ".zip":
            _unzip(data, folder)
            yield _find_manifest(folder)
        else:
            manifest = folder / f"manifest{suffix}"
            manifest.write_bytes(data)
            yield manifest
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _unzip(data, folder):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ManifestError("This .zip file cannot be read; it may be damaged.") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise ManifestError(f"The .zip holds more than {MAX_MEMBERS} files; split it.")
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise ManifestError("The .zip unpacks to more than 2 GB; split it.")
    for member in members:
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if not parts or member.filename.startswith("/") or ".." in parts:
            raise ManifestError(f"The .zip names a file outside itself: {member.filename}")
        if parts[0] == "__MACOSX":
            continue
        target = folder.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)


def _find_manifest(folder):
    found = sorted(
        (len(path.relative_to(folder).parts), str(path))
        for path in folder.rglob("*")
        if path.suffix.lower() in (".csv", ".json") and not path.name.startswith(".")
    )
    if not found:
        raise ManifestError("The .zip holds no manifest (a .csv or .json file).")
    shallowest = [p for depth, p in found if depth == found[0][0]]
    if len(shallowest) > 1:
        raise ManifestError(
            "The .zip holds several manifests at the same level: "
            + ", ".join(Path(p).name for p in shallowest)
            + ". Keep one."
        )
    return Path(shallowest[0])
