"""A passkey in a real Chromium: added at the first sign-in, then given instead of a code.

Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain) stands in for the
fingerprint reader or security key. WebAuthn needs a secure context and a host name for its
relying party: the live server answers on http://localhost, which is both.
"""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from audit.models import AuditEvent
from reports.models import Report

from . import factories
from .browser import screenshot
from .test_browser_accessibility import axe_violations
from .test_browser_staff import PASSWORD, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]

ADMIN_HOME = "Reports, countries and site settings"
# A ceremony is several requests and a signature: on a busy machine, more than expect's 5 s.
CEREMONY = 15_000


@pytest.fixture
def passkeys_on_live_server(settings, live_server):
    settings.REQUIRE_2FA = True
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def add_virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return lambda: cdp.send("WebAuthn.getCredentials", added)["credentials"]


@pytest.mark.usefixtures("passkeys_on_live_server")
def test_an_editor_adds_a_passkey_at_first_sign_in_and_signs_in_with_it_later(open_page, editor):
    draft = factories.draft_report(title="A draft only staff may read")
    page = sign_in(open_page, editor)
    credentials_on_device = add_virtual_authenticator(page)

    # First sign-in: the editor has no second factor yet and is offered a passkey first.
    expect(page.get_by_role("heading", name="Best: a passkey")).to_be_visible()
    assert page.goto(draft.get_absolute_url()).status == 404
    page.go_back()
    screenshot(page, "passkey-setup")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", name=ADMIN_HOME)).to_be_visible(timeout=CEREMONY)
    passkey = WebAuthnCredential.objects.get(user=editor)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSKEY_ADDED, actor=editor).exists()
    assert len(credentials_on_device()) == 1
    assert draft.title in page_text(page, draft.get_absolute_url())

    # Next sign-in: the password, then the passkey instead of a code.
    page.goto("/admin/")
    page.get_by_role("button", name="Log out").click()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="With your passkey")).to_be_visible()
    screenshot(page, "passkey-verify")
    assert page.goto(draft.get_absolute_url()).status == 404
    page.go_back()
    page.get_by_role("button", name="Use your passkey").click()
    expect(page.get_by_role("heading", name=ADMIN_HOME)).to_be_visible(timeout=CEREMONY)
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert draft.title in page_text(page, draft.get_absolute_url())
    assert Report.objects.get(pk=draft.pk).status == Report.Status.DRAFT

    # The package's script came from this site and ran under the admin's policy.
    assert any("/static/django_otp_webauthn/" in url for url in page.requests.urls)
    assert page.requests.foreign() == []
    assert page.csp_violations == []


def page_text(page, url):
    response = page.goto(url)
    assert response.status == 200
    return page.content()


@pytest.mark.usefixtures("passkeys_on_live_server")
def test_an_author_adds_a_passkey_and_recovery_codes_from_sign_in_security(open_page, author):
    page = sign_in(open_page, author)
    credentials_on_device = add_virtual_authenticator(page)
    # The script's wording arrives in a catalog of its own; however late that comes, the
    # button must work once it is shown.
    page.route(
        "**/two-factor/passkeys/jsi18n/",
        lambda route: (page.wait_for_timeout(1000), route.continue_()),
        times=1,
    )
    page.get_by_role("link", name="Sign-in security").click()
    expect(page.get_by_text("None yet.")).to_be_visible()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("not used yet")).to_be_visible(timeout=CEREMONY)
    assert len(credentials_on_device()) == 1

    page.get_by_role("button", name="Make new recovery codes").click()
    expect(page.get_by_role("heading", name="Your new recovery codes")).to_be_visible()
    assert page.locator(".recovery-codes__list code").count() == 10
    screenshot(page, "sign-in-security")
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
    assert page.csp_violations == []
