import importlib
import os
import re

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    # On SQLite the test database is a file, not shared memory: the browser tests' server
    # answers on several threads, and each must have a connection of its own.
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["TEST"]["NAME"] = str(settings.BASE_DIR / ".test-db.sqlite3")


@pytest.fixture(autouse=True)
def site_language():
    # A request under /fr/ leaves French active in the thread that served it, the test's
    # own: every test starts, and ends, in the site's language.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is slow by design; tests create many accounts and check no password's
    # strength, so a quick hasher keeps the suite fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    # Counters kept in the cache (rate limits) must not carry over from one test to another.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test stores its uploads in a folder of its own, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stored_files(media_root):
    """The names of all files in storage, to show that a refused upload left nothing behind."""

    def list_files():
        if not media_root.exists():
            return []
        return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())

    return list_files


def files_of(*attachments):
    """The stored names an attachment owns: its PDF and the preview image drawn from it."""
    return sorted(name for a in attachments for name in (a.file.name, a.preview.name) if name)


def sitemap(client):
    """What a crawler reads from /sitemap.xml: the text of every part its index lists."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    parts = re.findall(r"<loc>http://testserver(/[^<]+)</loc>", index.content.decode())
    assert parts, "the sitemap index lists no part"
    return "".join(client.get(part.replace("&amp;", "&")).content.decode() for part in parts)


def staff_member(django_user_model, username, role):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username, password=f"pw-{username}-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(django_user_model):
    """A member of the Editor group: writes, publishes, deletes (not a superuser)."""
    return staff_member(django_user_model, "editor", "Editor")


@pytest.fixture
def author(django_user_model):
    """A member of the Author group: writes and submits drafts."""
    return staff_member(django_user_model, "author", "Author")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def migrated_data(transactional_db):
    """The rows data migrations make (the ten stages, the roles), for transactional tests.

    Such tests empty every table when they end, those rows included; this puts them back
    from the migrations that define them, the one source of their content.
    """
    from django.apps import apps

    importlib.import_module("reports.migrations.0002_ten_stages").create_stages(apps, None)
    importlib.import_module("reports.migrations.0004_roles").create_roles(apps, None)
    importlib.import_module(
        "reports.migrations.0011_vocabulary_edits_are_editorial"
    ).vocabulary_edits_to_editors(apps, None)
    importlib.import_module("pages.migrations.0002_identity_and_roles").give_roles_pages(apps, None)


def required(what, variable):
    """A tool a test needs is missing: a failure in CI (`CI` set, or `variable`=1 as
    .ci/run sets it), else a skip that says so."""
    if os.environ.get(variable) == "1" or os.environ.get("CI"):
        pytest.fail(f"{what} ({variable} or CI is set, so this is a failure)")
    pytest.skip(f"{what} (skipped; with {variable}=1 this fails)")


@pytest.fixture(scope="session")
def nginx_binary():
    """The system's nginx, to run the shipped configuration (apt-get install nginx)."""
    import shutil

    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        required("nginx is not installed (apt-get install nginx)", "REQUIRE_NGINX")
    return found


# Browser tests ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from . import browser as support

    executable = support.require_chromium()
    # Playwright's synchronous API runs an event loop in this thread; Django's ORM refuses
    # to run beside one unless told that this is intended, which in tests it is.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=support.CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def open_page(browser, live_server):
    """Open a new browser page on the live site: open_page(viewport=..., javascript=...)."""
    from . import browser as support

    contexts = []

    def open_(viewport=support.DESKTOP, javascript=True, permissions=()):
        context = browser.new_context(
            viewport=viewport,
            base_url=live_server.url,
            java_script_enabled=javascript,
            accept_downloads=True,
        )
        if permissions:
            context.grant_permissions(list(permissions), origin=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.requests = support.RequestLog(live_server.url)
        page.on("request", page.requests.record)
        # Anything the page's Content Security Policy blocked shows up here.
        page.csp_violations = []
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and page.csp_violations.append(message.text)
            ),
        )
        return page

    yield open_
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter):
    from .measurements import ARTIFACTS, SUMMARY

    if SUMMARY:
        terminalreporter.section("measurements")
        for line in SUMMARY:
            terminalreporter.write_line(line)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "measurements.txt").write_text("\n".join(SUMMARY) + "\n")


@pytest.fixture
def without_page_cache(settings):
    """Query counts measure what rendering a page costs, so no stored page may answer."""
    settings.PAGE_CACHE_SECONDS = 0
