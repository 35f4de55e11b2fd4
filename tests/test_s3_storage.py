"""Files on S3-compatible object storage, tested against a running server (moto's, on loopback).

The server is the one CI starts (S3_TEST_ENDPOINT), or one this module starts for itself.
"""

import os
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from django.test import Client

from reports import uploads

from . import factories
from .servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def s3_endpoint():
    endpoint = os.environ.get("S3_TEST_ENDPOINT")
    server = None
    if not endpoint:
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - a fixed command of our own
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 - loopback test server
            break
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"No S3-compatible server answered at {endpoint}")
            time.sleep(0.2)
    yield endpoint
    if server:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings):
    import boto3

    name = f"test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    settings.AWS_STORAGE_BUCKET_NAME = name
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_ACCESS_KEY_ID = "testing"
    settings.AWS_SECRET_ACCESS_KEY = "testing"
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_S3_SIGNATURE_VERSION = "s3v4"
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.FILES_REDIRECT_TO_STORAGE = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    client.bucket = name
    return client


def keys(bucket):
    listing = bucket.list_objects_v2(Bucket=bucket.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_an_upload_lands_in_the_bucket_privately(bucket):
    attachment = factories.attachment(factories.published_report())
    assert attachment.file.name in keys(bucket)
    assert attachment.preview.name in keys(bucket)
    grants = bucket.get_object_acl(Bucket=bucket.bucket, Key=attachment.file.name)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]


def test_a_public_pdf_is_handed_out_by_a_short_lived_signed_address(client, bucket):
    content = factories.pdf_bytes("Stored in the bucket.")
    attachment = factories.attachment(factories.published_report(), content=content)
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(bucket.meta.endpoint_url)
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=300" in location
    # The bucket's answer is kept by shared caches no longer than the site's own.
    assert "response-cache-control=public%2C%20max-age%3D0%2C%20s-maxage%3D1" in location
    with urllib.request.urlopen(location) as fetched:  # noqa: S310 - loopback test server
        assert fetched.read() == content
        assert fetched.headers["Content-Type"] == "application/pdf"


def test_a_drafts_file_gets_no_signed_address_and_is_404_for_the_public(client, bucket, editor):
    content = factories.pdf_bytes("Not yet public.")
    attachment = factories.attachment(factories.draft_report(), content=content)
    assert client.get(attachment.get_absolute_url()).status_code == 404
    staff = Client()
    staff.force_login(editor)
    response = staff.get(attachment.get_absolute_url())
    assert response.status_code == 200  # streamed by the site, never a bucket address
    assert b"".join(response.streaming_content) == content


def test_replacing_and_deleting_remove_the_old_objects_after_commit(
    bucket, django_capture_on_commit_callbacks
):
    attachment = factories.attachment(factories.published_report())
    first = [attachment.file.name, attachment.preview.name]
    with django_capture_on_commit_callbacks(execute=True):
        uploads.attach_pdf(
            attachment, factories.pdf_upload("second.pdf", factories.pdf_bytes("Second"))
        )
        attachment.save()
    assert not set(first) & set(keys(bucket))
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    assert keys(bucket) == []
