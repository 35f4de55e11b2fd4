"""Backups: everything out into one archive, and back into an empty instance, checked."""

import gzip
import hashlib
import importlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
import reversion
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from alerts.models import Subscriber
from audit.models import AuditEvent
from genocidewatch.backups import BackupError, restore_backup, write_backup
from genocidewatch.storedfiles import Folder
from reports.models import Attachment, Recommendation, Report, Stage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]
ROOT = Path(__file__).resolve().parent.parent


MALI = "mali-country-report-2023"  # the demo's report with a PDF edition


def fill_instance():
    call_command("load_demo", stdout=io.StringIO())
    report = Report.objects.get(slug=MALI, translation_of=None)
    with reversion.create_revision():
        reversion.set_comment("Edited before the backup.")
        report.summary = "Summary as backed up."
        report.save()
    user = get_user_model().objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(apps.get_model("auth", "Group").objects.get(name="Editor"))
    AuditEvent.objects.create(action="login", actor=user, actor_name="editor")
    Subscriber.objects.create(email="reader@example.org")


def empty_instance():
    """As after `migrate` on a new database: no content, only what migrations make."""
    call_command("flush", interactive=False, verbosity=0)
    for folder in Folder:
        try:
            names = default_storage.listdir(folder)[1]
        except FileNotFoundError:
            continue
        for name in names:
            default_storage.delete(f"{folder}/{name}")
    importlib.import_module("reports.migrations.0002_ten_stages").create_stages(apps, None)
    importlib.import_module("reports.migrations.0004_roles").create_roles(apps, None)
    importlib.import_module(
        "reports.migrations.0011_vocabulary_edits_are_editorial"
    ).vocabulary_edits_to_editors(apps, None)
    importlib.import_module("pages.migrations.0002_identity_and_roles").give_roles_pages(apps, None)


def snapshot():
    pdf = Attachment.objects.get()
    with default_storage.open(pdf.file.name, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    return {
        "reports": list(Report.objects.values_list("slug", "summary", "status")),
        "recommendations": Recommendation.objects.count(),
        "translations": list(
            Report.objects.translations().values_list("language", "translation_of__slug")
        ),
        "stages": list(
            Report.objects.get(slug=MALI, translation_of=None).stages.values_list(
                "number", flat=True
            )
        ),
        "users": list(get_user_model().objects.values_list("username", flat=True)),
        "groups": list(get_user_model().objects.get().groups.values_list("name", flat=True)),
        "audit": AuditEvent.objects.count(),
        "subscribers": Subscriber.objects.count(),
        "revisions": reversion.models.Version.objects.count(),
        "pdf": (pdf.file.name, digest),
    }


def test_a_backup_restores_into_an_empty_instance_with_everything_checked(tmp_path):
    fill_instance()
    before = snapshot()
    archive = tmp_path / "backup.tar.gz"
    manifest = write_backup(archive)
    assert set(manifest["files"]) >= {before["pdf"][0]}

    empty_instance()
    assert not Report.objects.exists() and Stage.objects.count() == 10
    restore_backup(archive)

    assert snapshot() == before
    assert get_user_model().objects.get().check_password("pw-editor-123")
    report = Report.objects.get(slug=MALI, translation_of=None)
    client = Client()
    assert client.get(report.get_absolute_url()).status_code == 200
    assert client.get("/fr" + report.get_absolute_url()).context["report"].language == "fr"
    download = client.get(Attachment.objects.get().get_absolute_url())
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == before["pdf"][1]


def test_an_archive_from_before_translated_originals_were_marked_still_offers_the_french(
    tmp_path,
):
    """Archives written before `Report.has_translations` existed lack it: once restored, the
    original still names its French translation to readers and search engines."""

    def from_before_the_field(members, manifest):
        rows = json.loads(members["data.json"])
        for row in rows:
            row["fields"].pop("has_translations", None)
        members["data.json"] = json.dumps(rows).encode()
        manifest["data"]["sha256"] = hashlib.sha256(members["data.json"]).hexdigest()

    fill_instance()
    archive = write_backup_to(tmp_path / "backup.tar.gz")
    older = rewritten(archive, tmp_path / "older.tar.gz", from_before_the_field)
    empty_instance()
    restore_backup(older)

    report = Report.objects.get(slug=MALI, translation_of=None)
    page = Client().get(report.get_absolute_url()).text
    assert f'hreflang="fr" href="http://testserver/fr{report.get_absolute_url()}"' in page


def test_restore_refuses_an_instance_that_has_content(tmp_path):
    fill_instance()
    archive = tmp_path / "backup.tar.gz"
    write_backup(archive)
    with pytest.raises(CommandError, match="needs an empty one"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_a_damaged_archive_is_refused_and_nothing_is_loaded(tmp_path):
    fill_instance()
    archive = tmp_path / "backup.tar.gz"
    write_backup(archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "data.json":
                data = data.replace(b"Summary as backed up.", b"Summary changed later.")
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    empty_instance()
    with pytest.raises(BackupError, match="does not match its checksum"):
        restore_backup(damaged)
    assert not Report.objects.exists()


def rewritten(archive, target, change):
    """A copy of `archive` with its members passed through `change(members, manifest)`."""
    with tarfile.open(archive) as source:
        members = {m.name: source.extractfile(m).read() for m in source.getmembers()}
    manifest = json.loads(members.pop("manifest.json"))
    change(members, manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as out:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def truncated(archive, target):
    data = archive.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])
    return target


def not_gzip(archive, target):
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            out.addfile(member, source.extractfile(member))
    return target


def not_tar(archive, target):
    target.write_bytes(gzip.compress(b"Notes written by hand, not a backup.\n" * 100))
    return target


def unlisted_member(archive, target):
    def change(members, manifest):
        members["files/attachments/extra.pdf"] = b"%PDF-1.4 not in the manifest"

    return rewritten(archive, target, change)


def missing_member(archive, target):
    def change(members, manifest):
        name = next(iter(manifest["files"]))
        del members[f"files/{name}"]

    return rewritten(archive, target, change)


def path_leaving_media(archive, target):
    def change(members, manifest):
        data = b"written outside the media folder"
        name = "attachments/../../escaped.txt"
        members[f"files/{name}"] = data
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    return rewritten(archive, target, change)


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (truncated, "The archive is damaged or incomplete"),
        (not_gzip, "is not a backup archive (it is not gzip-compressed)"),
        (not_tar, "holds no tar archive, so it is not a backup"),
        (unlisted_member, "holds files/attachments/extra.pdf, which its manifest does not list"),
        (missing_member, "which is missing from the archive, so the archive is incomplete"),
        (path_leaving_media, "whose path leads outside the media folder"),
    ],
)
def test_a_broken_archive_is_refused_in_one_sentence_and_nothing_is_restored(
    tmp_path, stored_files, damage, says
):
    fill_instance()
    archive = write_backup_to(tmp_path / "backup.tar.gz")
    empty_instance()
    broken = damage(archive, tmp_path / "broken.tar.gz")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(broken), stdout=io.StringIO())

    message = str(refused.value)
    assert says in message
    # One plain sentence: what is wrong, then (after the semicolon) what to do.
    assert "\n" not in message and message.endswith(".") and message.count(". ") == 0
    assert "; " in message
    assert not Report.objects.exists() and not get_user_model().objects.exists()
    assert stored_files() == []
    assert not list(tmp_path.rglob("escaped.txt"))


def test_restore_names_a_missing_archive(tmp_path):
    with pytest.raises(CommandError, match=r"There is no file at .*; give the path"):
        call_command("restore", str(tmp_path / "nowhere.tar.gz"), stdout=io.StringIO())


def write_backup_to(path):
    write_backup(path)
    return path


def postgresql_url(name):
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def test_a_backup_moves_from_this_database_into_a_new_postgresql_one(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    except psycopg.OperationalError:
        pytest.skip("No PostgreSQL server on 127.0.0.1:5432 to move the backup into.")
    fill_instance()
    expected = [Report.objects.count(), Recommendation.objects.count(), "Summary as backed up."]
    archive = tmp_path / "backup.tar.gz"
    write_backup(archive)

    name = f"gw_restore_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": postgresql_url(name),
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
        "DJANGO_SETTINGS_MODULE": "genocidewatch.settings",
    }

    def manage(*args):
        return subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    try:
        assert manage("migrate", "--no-input", "-v0").returncode == 0
        restored = manage("restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        assert "every checksum matches" in restored.stdout
        counted = manage(
            "shell",
            "-c",
            "import json; from reports.models import Report, Recommendation;"
            "print(json.dumps([Report.objects.count(), Recommendation.objects.count(),"
            f" Report.objects.get(slug={MALI!r}, translation_of=None).summary]))",
        )
        assert json.loads(counted.stdout.strip().splitlines()[-1]) == expected
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
