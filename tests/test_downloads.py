import pytest
from django.db import transaction

from . import factories

pytestmark = pytest.mark.django_db


def read(response):
    return b"".join(response.streaming_content)


def test_a_public_attachment_streams_as_a_pdf_with_safe_headers(client):
    content = factories.pdf_bytes("The PDF edition.")
    attachment = factories.attachment(
        factories.published_report(), name="Mali Report 2023.pdf", content=content
    )
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == 'inline; filename="Mali Report 2023.pdf"'
    assert read(response) == content


def test_the_stored_file_name_is_generated_not_the_uploaders(client):
    attachment = factories.attachment(factories.published_report(), name="../../etc/passwd.pdf")
    assert attachment.file.name.startswith("attachments/")
    assert "passwd" not in attachment.file.name
    assert attachment.original_name == "passwd.pdf"


def test_a_non_ascii_file_name_is_offered_with_an_ascii_fallback(client):
    attachment = factories.attachment(
        factories.published_report(), name="Rapport Mali été 2023.pdf"
    )
    response = client.get(attachment.get_absolute_url())
    assert attachment.get_absolute_url().endswith("/rapport-mali-ete-2023.pdf")
    assert (
        "filename*=utf-8''Rapport%20Mali%20%C3%A9t%C3%A9%202023.pdf"
        in (response["Content-Disposition"])
    )


def test_control_and_bidirectional_characters_are_removed_from_the_name(client):
    attachment = factories.attachment(
        factories.published_report(), name="report\u202egpj.exe\x00\n.pdf"
    )
    assert attachment.original_name == "reportgpj.exe.pdf"


def test_the_file_of_a_draft_is_404_for_the_public(client):
    attachment = factories.attachment(factories.draft_report())
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_the_file_of_a_scheduled_report_is_404_for_the_public(client):
    attachment = factories.attachment(factories.scheduled_report())
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_staff_who_may_change_reports_download_a_draft_file_uncached(editor_client):
    attachment = factories.attachment(factories.draft_report())
    response = editor_client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_an_attachment_is_only_found_under_its_own_report(client):
    attachment = factories.attachment(factories.published_report())
    other = factories.published_report()
    url = f"/reports/{other.slug}/files/{attachment.pk}/{attachment.filename}"
    assert client.get(url).status_code == 404


def test_an_old_file_name_redirects_to_the_current_address(client):
    attachment = factories.attachment(factories.published_report(), name="current.pdf")
    old = f"/reports/{attachment.report.slug}/files/{attachment.pk}/old-name.pdf"
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == attachment.get_absolute_url()


def test_a_file_missing_from_storage_is_404_not_a_crash(client):
    attachment = factories.attachment(factories.published_report())
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_deleting_an_attachment_removes_its_file_once_committed(
    stored_files, django_capture_on_commit_callbacks
):
    attachment = factories.attachment(factories.draft_report())
    name = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
        assert stored_files() == [name]
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_deleting_a_report_removes_its_files_after_commit(stored_files):
    report = factories.draft_report()
    factories.attachment(report)
    factories.attachment(report)
    assert len(stored_files()) == 2
    report.delete()
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_delete_keeps_the_file(stored_files):
    attachment = factories.attachment(factories.draft_report())
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment.delete()
        raise RuntimeError("the rest of the change failed")
    assert stored_files() == [attachment.file.name]


@pytest.mark.django_db(transaction=True)
def test_replacing_a_file_removes_the_old_one_and_records_the_new_facts(stored_files):
    attachment = factories.attachment(factories.draft_report(), name="first.pdf")
    old_name, old_hash = attachment.file.name, attachment.sha256
    attachment.file = factories.pdf_upload("second.pdf", factories.pdf_bytes("New edition"))
    attachment.save()
    assert stored_files() == [attachment.file.name]
    assert attachment.file.name != old_name
    assert attachment.sha256 != old_hash
    assert attachment.original_name == "second.pdf"
