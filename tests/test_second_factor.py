"""The second factor: nothing unpublished before it is given; passkeys, recovery codes and
a password reset by email that never skips it."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AuditEvent
from reports.models import Report
from sharing.cards import card_version

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


# Recovery codes ------------------------------------------------------------------------------


def verified(user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = signed_in_with_password(user)
    give_code(client, device)
    return client


def make_codes(client):
    page = client.post("/admin/two-factor/security/recovery-codes/").content.decode()
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


@pytest.mark.usefixtures("two_factor_required")
def test_recovery_codes_are_shown_once_and_each_signs_in_once(editor):
    owner = verified(editor)
    codes = make_codes(owner)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECOVERY_CODES_MADE).count() == 1
    # Never shown again: the page names how many are left, not what they are.
    again = owner.get("/admin/two-factor/security/").content.decode()
    assert "10 unused recovery codes left" in again
    assert not any(code in again for code in codes)

    client = signed_in_with_password(editor)
    assert "Use a recovery code" in client.get("/admin/two-factor/verify/").content.decode()
    response = client.post(
        "/admin/two-factor/recovery/", {"code": codes[0].upper(), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    used = AuditEvent.objects.get(action=AuditEvent.Action.RECOVERY_CODE_USED)
    assert used.actor == editor and used.detail == "9 recovery codes left"

    # The same code a second time is refused, beside the field, and signs nobody in.
    thief = signed_in_with_password(editor)
    refused = thief.post("/admin/two-factor/recovery/", {"code": codes[0]})
    assert refused.status_code == 200
    assert "not right, or was used already" in refused.content.decode()
    assert thief.get("/admin/")["Location"].startswith("/admin/two-factor/verify/")


@pytest.mark.usefixtures("two_factor_required")
def test_a_new_set_of_recovery_codes_ends_the_old_one(editor):
    client = verified(editor)
    old = make_codes(client)
    new = make_codes(client)
    assert not set(old) & set(new)
    other = signed_in_with_password(editor)
    assert other.post("/admin/two-factor/recovery/", {"code": old[1]}).status_code == 200
    assert other.get("/admin/").status_code == 302
    # A wrong code makes the next try wait a little (django-otp's throttle).
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        assert other.post("/admin/two-factor/recovery/", {"code": new[1]}).status_code == 302
        assert other.get("/admin/").status_code == 200


@pytest.mark.usefixtures("two_factor_required")
def test_recovery_codes_are_only_made_for_a_session_that_gave_its_second_factor(editor):
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client = signed_in_with_password(editor)
    response = client.post("/admin/two-factor/security/recovery-codes/")
    assert response["Location"] == "/admin/two-factor/verify/"
    assert client.get("/admin/two-factor/security/")["Location"] == "/admin/two-factor/verify/"
    assert not StaticToken.objects.exists()


def test_recovery_codes_need_a_passkey_or_an_app_to_stand_in_for(author):
    client = signed_in_with_password(author)
    response = client.post("/admin/two-factor/security/recovery-codes/", follow=True)
    assert "Add a passkey or an authenticator app first" in response.content.decode()
    assert not StaticToken.objects.exists()
    # Making them is a change: never by a plain link.
    assert client.get("/admin/two-factor/security/recovery-codes/").status_code == 405


# Passkeys (the ceremonies themselves run in Chromium: tests/test_browser_passkeys.py) -------


@pytest.mark.usefixtures("two_factor_required")
def test_a_passkey_is_offered_first_when_setting_up_a_second_factor(editor):
    page = signed_in_with_password(editor).get("/admin/two-factor/").content.decode()
    assert page.index("Best: a passkey") < page.index("Or: an authenticator app")
    assert page.index('id="passkey-register-button"') < page.index("Turn on two-factor sign-in")
    assert "/static/django_otp_webauthn/otp_webauthn_register.js" in page


def test_passkey_ceremonies_are_refused_to_anyone_not_signed_in(client):
    for step in ("registration/begin/", "authentication/begin/"):
        response = client.post(f"/admin/two-factor/passkeys/{step}")
        assert response.status_code == 403, step
        assert response.json()["code"] == "not_authenticated", step


@pytest.mark.usefixtures("two_factor_required")
def test_a_session_that_owes_its_code_cannot_add_a_passkey_to_skip_it(editor):
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client = signed_in_with_password(editor)
    response = client.post("/admin/two-factor/passkeys/registration/begin/")
    assert response.status_code == 403
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.usefixtures("two_factor_required")
def test_passkey_sign_in_offers_only_the_signed_in_persons_passkeys(editor, settings):
    client = verified(editor)
    options = client.post("/admin/two-factor/passkeys/registration/begin/").json()
    assert options["rp"] == {"name": settings.SITE_NAME, "id": "localhost"}
    assert options["user"]["name"] == "editor"
    other = signed_in_with_password(editor)
    options = other.post("/admin/two-factor/passkeys/authentication/begin/").json()
    assert options["rpId"] == "localhost" and options["allowCredentials"] == []


# Password reset by email ---------------------------------------------------------------------


def test_the_admin_sign_in_page_offers_a_password_reset(client):
    page = client.get("/admin/login/").content.decode()
    assert 'href="/admin/password-reset/"' in page


def test_a_reset_answers_the_same_for_known_and_unknown_addresses(client, editor, mailoutbox):
    editor.email = "editor@example.org"
    editor.save()
    answers = []
    for address in ("editor@example.org", "nobody@example.org"):
        response = Client().post("/admin/password-reset/", {"email": address}, follow=True)
        answers.append((response.redirect_chain, response.status_code, response.content))
    assert answers[0] == answers[1]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["editor@example.org"]


def test_a_reset_goes_only_to_staff(client, django_user_model, mailoutbox):
    django_user_model.objects.create_user("reader", "reader@example.org", "pw-reader-123")
    client.post("/admin/password-reset/", {"email": "reader@example.org"})
    assert mailoutbox == []


@pytest.mark.usefixtures("two_factor_required")
def test_a_reset_password_still_asks_for_the_second_factor(editor, mailoutbox, draft):
    editor.email = "editor@example.org"
    editor.save()
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client = Client()
    client.post("/admin/password-reset/", {"email": "editor@example.org"})
    link = re.search(r"http://testserver(/admin/password-reset/\S+/)", mailoutbox[0].body)[1]
    form = client.get(link, follow=True)
    new_password = "a-brand-new-long-password"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "Your password has been set" in done.content.decode()
    assert AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_RESET).actor == editor
    # The link signed nobody in, and the new password alone opens nothing.
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    signed_in = signed_in_with_password(editor, new_password)
    assert signed_in.get("/admin/")["Location"].startswith("/admin/two-factor/verify/")
    assert signed_in.get(draft.get_absolute_url()).status_code == 404
    give_code(signed_in, device)
    assert signed_in.get(draft.get_absolute_url()).status_code == 200
    # And the link is spent.
    spent = Client().get(link, follow=True).content.decode()
    assert "possibly because it has already been used" in spent


def test_superusers_see_passkeys_but_no_secret_in_the_admin(client, django_user_model, editor):
    chief = django_user_model.objects.create_superuser("chief", password="pw-chief-123")
    device = StaticDevice.objects.create(user=editor, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="secretcd")
    client.force_login(chief)
    assert client.get("/admin/django_otp_webauthn/webauthncredential/").status_code == 200
    page = client.get(f"/admin/otp_static/staticdevice/{device.pk}/change/").content.decode()
    assert "secretcd" not in page
