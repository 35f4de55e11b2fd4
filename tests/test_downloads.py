import io

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from PIL import Image

from reports import uploads

from . import factories
from .conftest import files_of

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
    assert response["Content-Disposition"] == (
        "inline; filename=\"Mali Report 2023.pdf\"; filename*=UTF-8''Mali%20Report%202023.pdf"
    )
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["ETag"] == f'"{attachment.sha256}"'
    assert response["Accept-Ranges"] == "bytes"
    # Shared caches keep it a second at most and browsers ask again each time, so a
    # retracted report's edition is gone as quickly as its page.
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=1, must-revalidate"
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
    assert response["Content-Disposition"] == (
        'inline; filename="Rapport Mali ete 2023.pdf"; '
        "filename*=UTF-8''Rapport%20Mali%20%C3%A9t%C3%A9%202023.pdf"
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
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
        assert stored_files() == files_of(attachment)
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_deleting_a_report_removes_its_files_after_commit(stored_files):
    report = factories.draft_report()
    factories.attachment(report)
    factories.attachment(report)
    assert len(stored_files()) == 4  # two PDFs and their previews
    report.delete()
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_delete_keeps_the_file(stored_files):
    attachment = factories.attachment(factories.draft_report())
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment.delete()
        raise RuntimeError("the rest of the change failed")
    assert stored_files() == files_of(attachment)


@pytest.mark.django_db(transaction=True)
def test_replacing_a_file_removes_the_old_one_and_records_the_new_facts(stored_files):
    attachment = factories.attachment(factories.draft_report(), name="first.pdf")
    old_name, old_hash = attachment.file.name, attachment.sha256
    uploads.attach_pdf(
        attachment, factories.pdf_upload("second.pdf", factories.pdf_bytes("New edition"))
    )
    attachment.save()
    assert stored_files() == files_of(attachment)
    assert attachment.file.name != old_name
    assert attachment.sha256 != old_hash
    assert attachment.original_name == "second.pdf"


@pytest.fixture
def public_pdf():
    content = factories.pdf_bytes("Ranges of this file are served. " * 200)
    return factories.attachment(factories.published_report(), content=content), content


def test_a_range_request_gets_just_those_bytes(client, public_pdf):
    attachment, content = public_pdf
    response = client.get(attachment.get_absolute_url(), HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(content)}"
    assert response["Content-Length"] == "100"
    assert read(response) == content[100:200]


@pytest.mark.parametrize(
    ("header", "part"),
    [("bytes=-50", slice(-50, None)), ("bytes=500-", slice(500, None)), ("bytes=0-0", slice(0, 1))],
)
def test_suffix_open_and_single_byte_ranges(client, public_pdf, header, part):
    attachment, content = public_pdf
    response = client.get(attachment.get_absolute_url(), HTTP_RANGE=header)
    assert response.status_code == 206
    assert read(response) == content[part]


def test_a_range_past_the_end_is_416(client, public_pdf):
    attachment, content = public_pdf
    response = client.get(attachment.get_absolute_url(), HTTP_RANGE=f"bytes={len(content)}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(content)}"


def test_a_range_from_another_version_of_the_file_gets_the_whole_file(client, public_pdf):
    attachment, content = public_pdf
    response = client.get(
        attachment.get_absolute_url(), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old-version"'
    )
    assert response.status_code == 200
    assert read(response) == content


def test_conditional_requests_are_answered_with_304(client, public_pdf):
    attachment, _ = public_pdf
    first = client.get(attachment.get_absolute_url())
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(attachment.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304
    response = client.get(attachment.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=modified)
    assert response.status_code == 304
    changed = client.get(attachment.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200


def test_the_first_page_preview_is_served_for_public_reports_only(client, public_pdf):
    attachment, _ = public_pdf
    response = client.get(attachment.get_preview_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    image = Image.open(io.BytesIO(read(response)))
    assert (image.format, image.width) == ("WEBP", 192)  # twice its 96 px box
    draft_attachment = factories.attachment(factories.draft_report())
    assert client.get(draft_attachment.get_preview_url()).status_code == 404


def test_the_report_page_shows_pages_size_language_and_preview(client, public_pdf):
    attachment, _ = public_pdf
    html = client.get(attachment.report.get_absolute_url()).content.decode()
    assert f"Download PDF · {attachment.page_count} pages · " in html
    assert f'src="{attachment.get_preview_url()}"' in html
    assert "English" in html


def test_an_editor_chooses_another_page_as_the_preview(public_pdf, stored_files):
    attachment, _ = public_pdf
    assert attachment.page_count >= 2
    first_preview = attachment.preview.name
    attachment.preview_page = 2
    attachment.full_clean()
    attachment.save()
    assert attachment.preview.name != first_preview
    attachment.preview_page = attachment.page_count + 1
    with pytest.raises(ValidationError) as error:
        attachment.full_clean()
    assert "preview_page" in error.value.message_dict


def test_replacing_the_file_keeps_the_public_address_working(client, public_pdf):
    attachment, _ = public_pdf
    url = attachment.get_absolute_url()
    uploads.attach_pdf(
        attachment, factories.pdf_upload("second.pdf", factories.pdf_bytes("Second edition"))
    )
    attachment.save()
    # The address is the edition's, not the file's: the old link leads to the new file.
    assert b"Second edition" in read(client.get(url, follow=True))


def test_orphaned_files_are_listed_and_removed_and_used_ones_kept(stored_files):
    from io import StringIO

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    kept = factories.attachment(factories.draft_report())
    orphan = default_storage.save("attachments/left-behind.pdf", ContentFile(b"%PDF-1.4"))
    listed = StringIO()
    call_command("list_orphan_files", stdout=listed, stderr=StringIO())
    assert listed.getvalue().split() == [orphan]

    call_command("remove_orphan_files", "--dry-run", stdout=StringIO(), stderr=StringIO())
    assert orphan in stored_files()
    call_command("remove_orphan_files", stdout=StringIO(), stderr=StringIO())
    assert stored_files() == files_of(kept)


def test_behind_the_proxy_the_site_checks_access_and_the_proxy_sends_the_file(client, settings):
    settings.FILES_VIA_PROXY_PREFIX = "/_files/"
    attachment = factories.attachment(factories.published_report(), name="Mali Report.pdf")
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_files/{attachment.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="Mali Report.pdf"')
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # nginx passes this on with the file, and keeps no copy of its own.
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=1, must-revalidate"


def test_behind_the_proxy_drafts_files_stay_hidden_and_staff_copies_unstored(
    editor_client, settings
):
    settings.FILES_VIA_PROXY_PREFIX = "/_files/"
    attachment = factories.attachment(factories.draft_report())
    assert Client().get(attachment.get_absolute_url()).status_code == 404
    response = editor_client.get(attachment.get_absolute_url())
    assert response["X-Accel-Redirect"] == f"/_files/{attachment.file.name}"
    assert "no-store" in response["Cache-Control"]


def test_behind_the_proxy_a_missing_file_is_404(client, settings):
    settings.FILES_VIA_PROXY_PREFIX = "/_files/"
    attachment = factories.attachment(factories.published_report())
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_outdated_social_cards_are_orphans_and_the_current_one_is_kept(client, stored_files):
    from io import StringIO

    from django.core.management import call_command

    from sharing.cards import card_name, card_version

    def fetch_card(report):
        client.get(f"/reports/{report.slug}/card-{card_version(report)}.png")
        return card_name(report)

    report = factories.published_report(title="First title")
    first = fetch_card(report)
    report.title = "Second title"
    report.save()
    second = fetch_card(report)
    assert {first, second} <= set(stored_files())

    listed = StringIO()
    call_command("list_orphan_files", stdout=listed, stderr=StringIO())
    assert listed.getvalue().split() == [first]


@pytest.mark.parametrize("kind", ["file", "preview", "image", "card"])
def test_every_kind_of_stored_file_goes_through_the_proxy_the_same_way(client, settings, kind):
    from sharing.cards import card_version

    settings.FILES_VIA_PROXY_PREFIX = "/_files/"
    report = factories.published_report()
    attachment = factories.attachment(report)
    uploads.set_lead_image(report, factories.image_upload())
    report.lead_image_alt = "A picture"
    report.save()
    url = {
        "file": attachment.get_absolute_url(),
        "preview": attachment.get_preview_url(),
        "image": report.image_url(report.lead_image.name),
        "card": f"/reports/{report.slug}/card-{card_version(report)}.png",
    }[kind]
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith("/_files/")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
