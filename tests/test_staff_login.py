"""Staff sign-in: one message for any wrong pair, a pause after repeated failures, and a
code from an authenticator app for editors and superusers."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

WRONG_PAIR = "Please enter the correct username and password for a staff account."


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def code_for(device, at=None):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def test_a_wrong_name_and_a_wrong_password_get_the_same_message(client, editor):
    unknown = sign_in(client, "nobody", "pw-editor-123").content.decode()
    wrong = sign_in(client, "editor", "not-the-password").content.decode()
    assert WRONG_PAIR in unknown and WRONG_PAIR in wrong
    assert "nobody" not in unknown.replace('value="nobody"', "")


def test_the_right_password_signs_in(client, editor):
    response = sign_in(client, "editor", "pw-editor-123")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("refused", ["https://elsewhere.example/", "//elsewhere.example/", ""])
def test_a_refused_next_page_lands_on_the_admin_home(client, author, refused):
    response = client.post(
        f"/admin/login/?next={refused}",
        {"username": "author", "password": "pw-author-123", "next": refused},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


def test_five_failures_pause_the_account_from_any_address(editor):
    for attempt in range(4):
        assert WRONG_PAIR in sign_in(Client(), "editor", f"guess-{attempt}").content.decode()
    assert sign_in(Client(), "editor", "guess-4").status_code == 429
    response = sign_in(Client(), "editor", "pw-editor-123", address="198.51.100.9")
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT).exists()
    # An unknown name is paused the same way, so the pause tells nothing about who exists.
    for attempt in range(5):
        sign_in(Client(), "nobody", f"guess-{attempt}", address="198.51.100.10")
    assert sign_in(Client(), "nobody", "guess", address="198.51.100.11").status_code == 429


def test_five_failures_from_one_address_pause_every_account_from_it(editor, author):
    for attempt in range(5):
        sign_in(Client(), f"user-{attempt}", "guess")
    assert sign_in(Client(), "editor", "pw-editor-123").status_code == 429
    # Staff elsewhere still sign in.
    assert sign_in(Client(), "author", "pw-author-123", address="192.0.2.44").status_code == 302


def test_the_pause_ends_after_its_time(editor):
    start = timezone.now()
    with time_machine.travel(start):
        for attempt in range(5):
            sign_in(Client(), "editor", f"guess-{attempt}")
        assert sign_in(Client(), "editor", "pw-editor-123").status_code == 429
    with time_machine.travel(start + timedelta(minutes=16)):
        assert sign_in(Client(), "editor", "pw-editor-123").status_code == 302


def test_a_success_clears_earlier_failures(client, editor):
    for attempt in range(4):
        sign_in(Client(), "editor", f"guess-{attempt}")
    assert sign_in(Client(), "editor", "pw-editor-123").status_code == 302
    for attempt in range(4):
        sign_in(Client(), "editor", f"again-{attempt}")
    assert sign_in(Client(), "editor", "pw-editor-123").status_code == 302


@pytest.fixture
def two_factor_required(settings):
    settings.REQUIRE_2FA = True


@pytest.mark.usefixtures("two_factor_required")
def test_an_editor_without_an_authenticator_is_shown_how_to_set_one_up(client, editor):
    sign_in(client, "editor", "pw-editor-123")
    response = client.get("/admin/reports/report/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/?next=")
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "authenticator app" in page
    device = TOTPDevice.objects.get(user=editor, confirmed=False)

    wrong = client.post("/admin/two-factor/", {"code": "000000", "next": "/admin/"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/reports/report/").status_code == 302

    # Each wrong code makes the next try wait a little longer (django-otp's throttle).
    later = timezone.now() + timedelta(seconds=3)
    with time_machine.travel(later):
        right = client.post(
            "/admin/two-factor/",
            {"code": code_for(device, later.timestamp()), "next": "/admin/reports/report/"},
        )
    assert right["Location"] == "/admin/reports/report/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/reports/report/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_ON).exists()


@pytest.mark.usefixtures("two_factor_required")
def test_staff_with_an_authenticator_give_a_code_at_each_sign_in(editor):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client = Client()
    sign_in(client, "editor", "pw-editor-123")
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/two-factor/verify/")
    assert client.get("/admin/audit/auditevent/").status_code in (302, 403)

    wrong = client.post("/admin/two-factor/verify/", {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_FAILED).exists()

    too_soon = client.post("/admin/two-factor/verify/", {"code": code_for(device)})
    assert "Wait a minute" in too_soon.content.decode()

    later = timezone.now() + timedelta(seconds=10)
    with time_machine.travel(later):
        code = code_for(device, later.timestamp())
        response = client.post("/admin/two-factor/verify/", {"code": code})
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200

        # The same code cannot be used again, by this session or a thief.
        other = Client()
        sign_in(other, "editor", "pw-editor-123", address="198.51.100.3")
        other.post("/admin/two-factor/verify/", {"code": code})
        assert other.get("/admin/").status_code == 302


@pytest.mark.usefixtures("two_factor_required")
def test_an_author_may_work_without_an_authenticator(client, author):
    sign_in(client, "author", "pw-author-123")
    assert client.get("/admin/reports/report/").status_code == 200


@pytest.mark.usefixtures("two_factor_required")
def test_a_superuser_must_set_up_an_authenticator(client, django_user_model):
    django_user_model.objects.create_superuser("chief", password="pw-chief-123")
    sign_in(client, "chief", "pw-chief-123")
    assert client.get("/admin/auth/user/")["Location"].startswith("/admin/two-factor/")


def test_without_the_requirement_editors_work_with_a_password_alone(client, editor, settings):
    settings.REQUIRE_2FA = False
    sign_in(client, "editor", "pw-editor-123")
    assert client.get("/admin/reports/report/").status_code == 200


@pytest.mark.usefixtures("two_factor_required")
def test_a_code_page_never_sends_staff_to_another_site(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    sign_in(client, "editor", "pw-editor-123")
    response = client.post(
        "/admin/two-factor/verify/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_the_sign_in_pages_are_only_for_signed_in_staff(client):
    assert client.get("/admin/two-factor/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/two-factor/verify/")["Location"].startswith("/admin/login/")
