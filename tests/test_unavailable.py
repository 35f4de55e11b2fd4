"""While a server the site needs is away, readers and editors get a clear answer.

The database restarting or out of reach: a 503 page that asks to try again, with
Retry-After, never the 500 page and never a connection left waiting. The site is started
here as `make serve` starts it (gunicorn, DEBUG off), pointed at a port where no database
answers, or at one that accepts connections and then says nothing. The cache (Redis) down:
readers still get pages, rendered afresh, and an editor's save still lands.
"""

import contextlib
import http.client
import secrets
import socket
import threading

import pytest
from django.core.cache import cache
from reversion.models import Version

from reports.models import Report

from . import factories
from .servers import ROOT, free_port, gunicorn_command, production_env, serving
from .test_admin import report_form


def get(port, path, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response, response.read().decode()
    finally:
        connection.close()


@contextlib.contextmanager
def serve(tmp_path, database_url):
    """The site under gunicorn with production settings, on a database at `database_url`;
    its port, until the block ends."""
    port = free_port()
    env = production_env(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        CACHE_URL="",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="CRITICAL",
    )
    with serving(gunicorn_command(), port, tmp_path / "gunicorn.log", cwd=ROOT, env=env):
        yield port


@pytest.fixture(scope="module")
def site_without_database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    with serve(folder, f"postgres://postgres@127.0.0.1:{free_port()}/nowhere") as port:
        yield port


@pytest.fixture
def silent_database():
    """A port that takes connections and never says a word, as a database host that hangs."""
    listener = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


@pytest.mark.parametrize("path", ["/", "/reports/", "/reports/mali-2023/", "/countries/"])
def test_a_reader_gets_a_503_asking_to_try_again_while_the_database_is_away(
    site_without_database, path
):
    response, page = get(site_without_database, path)
    assert response.status == 503
    assert response.getheader("Retry-After") == "30"
    assert response.getheader("Cache-Control") == "no-store"
    assert "Please try again in a minute." in page
    assert "Something went wrong" not in page


def test_the_page_asking_to_try_again_is_in_the_readers_language(site_without_database):
    response, page = get(site_without_database, "/fr/reports/")
    assert response.status == 503
    assert '<html lang="fr"' in page
    assert "Temporarily unavailable" not in page


def test_an_editor_opening_the_admin_while_the_database_is_away_is_asked_to_try_again(
    site_without_database,
):
    response, page = get(site_without_database, "/admin/login/")
    assert response.status == 503
    assert "open it again first to see whether it was kept" in page


def test_a_database_that_never_answers_gives_a_503_not_a_reader_left_waiting(
    tmp_path, silent_database
):
    with serve(tmp_path, f"postgres://postgres@127.0.0.1:{silent_database}/x") as port:
        # gunicorn's own timeout (deploy/gunicorn.conf.py) is the most a reader may wait.
        response, _page = get(port, "/reports/", timeout=30)
    assert response.status == 503
    assert response.getheader("Retry-After") == "30"


@pytest.fixture
def cache_away(settings):
    """The cache pointed at a port where no Redis answers, with stored pages on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "genocidewatch.cache.SharedClientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.PAGE_CACHE_SECONDS = 60
    yield
    # The next test's own cache, cleared as every test's is.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.mark.django_db
def test_readers_get_pages_while_the_cache_is_away(client, cache_away):
    report = factories.published_report(title="Mali Country Report 2023")
    for path in [report.get_absolute_url(), "/", "/reports/", "/feeds/reports/"]:
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Mali Country Report 2023" in client.get(report.get_absolute_url()).text


@pytest.mark.django_db
def test_an_editors_new_report_lands_whole_while_the_cache_is_away(editor_client, cache_away):
    response = editor_client.post("/admin/reports/report/add/", report_form())
    assert response.status_code == 302
    report = Report.objects.get(slug="mali-country-report-2023")
    assert report.title == "Mali Country Report 2023"
    assert Version.objects.get_for_object(report).count() == 1
