"""The second factor: nothing unpublished before it is given; passkeys, recovery codes and
a password reset by email that never skips it."""

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from follow.cards import card_version
from reports.models import Report

from .test_drafts_never_leak import hidden_report

pytestmark = pytest.mark.django_db

CANARY = "CANARYBEFORECODE5"


def code_for(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def signed_in_with_password(user, password=None):
    """A client that has given the password and nothing else, as a person at the login form."""
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": user.username, "password": password or f"pw-{user.username}-123"},
    )
    assert response.status_code == 302
    return client


def give_code(client, device):
    response = client.post("/admin/two-factor/verify/", {"code": code_for(device)})
    assert response.status_code == 302 and "two-factor" not in response["Location"]


@pytest.fixture
def two_factor_required(settings):
    settings.REQUIRE_2FA = True


@pytest.fixture
def draft():
    return hidden_report(CANARY, status=Report.Status.DRAFT)


def addresses_of(report):
    """The draft's page and every file the public addresses would hand out for it."""
    attachment = report.attachments.get()
    return {
        "page": report.get_absolute_url(),
        "pdf": attachment.get_absolute_url(),
        "preview": attachment.get_preview_url(),
        "image": report.image_url(report.image_names[0]),
        "card": f"/reports/{report.slug}/card-{card_version(report)}.png",
    }


def content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.usefixtures("two_factor_required")
def test_an_editor_who_gave_the_code_sees_the_draft_and_its_files(editor, draft):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client = signed_in_with_password(editor)
    give_code(client, device)
    for what, url in addresses_of(draft).items():
        response = client.get(url)
        assert response.status_code == 200, what
        assert "no-store" in response["Cache-Control"], what
    assert CANARY in client.get(draft.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("two_factor_required")
def test_the_same_editor_before_giving_the_code_gets_what_an_anonymous_reader_gets(editor, draft):
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client = signed_in_with_password(editor)
    anonymous = Client()
    for what, url in addresses_of(draft).items():
        response = client.get(url)
        reader = anonymous.get(url)
        assert response.status_code == reader.status_code == 404, what
        assert content(response) == content(reader), what
        assert CANARY not in content(response).decode("latin-1"), what
        # Answered for this session alone: never kept where another request could find it.
        assert response["Cache-Control"] == "private, no-store", what
        assert "X-Page-Cache" not in response, what


@pytest.mark.usefixtures("two_factor_required")
def test_an_editor_who_must_set_up_a_second_factor_sees_no_draft_until_then(editor, draft):
    client = signed_in_with_password(editor)
    for what, url in addresses_of(draft).items():
        assert client.get(url).status_code == 404, what


@pytest.mark.usefixtures("two_factor_required")
def test_an_author_without_a_second_factor_sees_drafts_as_the_policy_allows(author, draft):
    # Authors need no second factor (staff/policy.py): the password is all they owe.
    client = signed_in_with_password(author)
    for what, url in addresses_of(draft).items():
        assert client.get(url).status_code == 200, what


@pytest.mark.usefixtures("two_factor_required")
def test_an_author_who_added_a_second_factor_must_give_it_first(author, draft):
    device = TOTPDevice.objects.create(user=author, name="phone", confirmed=True)
    client = signed_in_with_password(author)
    assert client.get(draft.get_absolute_url()).status_code == 404
    give_code(client, device)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_without_the_requirement_an_editor_without_a_device_sees_drafts(editor, draft, settings):
    settings.REQUIRE_2FA = False
    client = signed_in_with_password(editor)
    assert client.get(draft.get_absolute_url()).status_code == 200
