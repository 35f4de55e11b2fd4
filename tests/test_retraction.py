"""A retracted report is gone from every address within seconds, through the shipped nginx;
a newly published one appears as quickly.

The site runs here as `make serve` runs it: gunicorn with deploy/gunicorn.conf.py, DEBUG
off, settings from the environment only, stored pages in Redis, files handed to nginx by
X-Accel-Redirect, against this test's database; nginx in front, rendered from deploy/. The
editor's step runs in a process of its own (`manage.py shell`), as it would on another
worker: the serving processes learn of it only through the database and the shared cache,
as in production. (pytest-django's live_server would serve from a thread of this process,
sharing its settings and its in-memory cache, and could pass where production fails.)

nginx is needed; it is installed in CI (.ci/run), where REQUIRE_NGINX=1 makes its absence a
failure. Locally, without nginx, these tests are skipped with a message.
"""

import http.client
import io
import os
import pwd
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from reports import uploads
from reports.models import Recommendation, Report
from sharing.cards import card_version

from . import factories, servers
from .conftest import required
from .measurements import ARTIFACTS, SUMMARY
from .servers import free_port, gunicorn_command, serving

pytestmark = pytest.mark.nginx

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/9")
# How long the test waits for every address to change; the promise is two seconds.
POLL_SECONDS = 3.0
# The report that comes and goes: a word found nowhere else, and its address.
WORD = "Quorvale"
SLUG = "quorvale-2023"


@pytest.fixture(scope="module")
def redis_server():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        required("Redis is not answering on 127.0.0.1:6379", "REQUIRE_REDIS")


def database_url():
    """This test database, as an address another process can open."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(**extra):
    """The environment `make serve` gives the site, pointed at this test's data."""
    return servers.production_env(
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CACHE_URL=REDIS_URL,
        DATABASE_URL=database_url(),
        BEHIND_PROXY="1",
        FILES_VIA_PROXY_PREFIX="/_files/",
        LOG_LEVEL="WARNING",
        **extra,
    )


SECRET_KEY = secrets.token_urlsafe(50)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Static files collected under hashed names, as DEBUG off needs them."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1"}
    env["STATIC_ROOT"] = str(root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return root


@pytest.fixture
def shared_cache(settings, redis_server):
    """This process's cache is the servers' Redis too, and starts empty."""
    settings.CACHES = {
        "default": {
            "BACKEND": "genocidewatch.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def app_env(migrated_data, shared_cache, static_root, media_root):
    return production_env(STATIC_ROOT=str(static_root), MEDIA_ROOT=str(media_root))


@pytest.fixture
def app(app_env, tmp_path):
    """gunicorn with the shipped settings, two workers, on a port of its own."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **app_env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "",
    }
    with serving(gunicorn_command(), port, log, cwd=ROOT, env=env) as address:
        yield address


@pytest.fixture
def proxy(app, app_env, nginx_binary, tmp_path):
    """nginx with deploy/nginx.conf.template in front of the app; its address."""
    port = free_port()
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    conf = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "deploy" / "render-nginx-conf")],
        env={
            **os.environ,
            "RUN_DIR": str(run_dir),
            "STATIC_ROOT": app_env["STATIC_ROOT"],
            "MEDIA_ROOT": app_env["MEDIA_ROOT"],
            "APP_ADDRESS": app,
            "LISTEN": f"127.0.0.1:{port}",
            "ACCESS_LOG": str(run_dir / "access.log"),
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (run_dir / "nginx.conf").write_text(conf)
    log = run_dir / "stderr.log"
    # Its workers run as this test's user: they read the test's own folders.
    user = pwd.getpwuid(os.getuid()).pw_name
    command = [nginx_binary, "-c", str(run_dir / "nginx.conf"), "-p", str(run_dir)]
    with serving(command + ["-g", f"daemon off; user {user};"], port, log) as address:
        yield address


def fetch(address, path):
    """(status, headers, body) of an anonymous GET: no cookies, as a reader's first visit."""
    host, port = address.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def png(width=800, height=500):
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "PNG")
    return out.getvalue()


def make_report(**fields):
    """The report that comes and goes: a PDF edition, a lead image, one recommendation to an
    addressee of its own, in a country of its own."""
    report = factories.report(
        title=f"{WORD} Country Report 2023",
        slug=SLUG,
        country=factories.country("TD"),
        summary=f"The situation in {WORD}.",
        **fields,
    )
    uploads.set_lead_image(report, SimpleUploadedFile("lead.png", png(), "image/png"))
    report.lead_image_alt = "A teal square"
    report.save()
    factories.furnish(report, stages=(4, 7), recommendations=0, attachments=1)
    Recommendation.objects.create(
        report=report, addressee=factories.addressee(f"{WORD} Council"), text="should act."
    )
    return Report.objects.get(pk=report.pk)


def list_addresses(report):
    """Addresses that list the report among others: it shows there by its word or slug."""
    country = report.country.slug
    return [
        "/",
        "/reports/",
        f"/reports/?q={WORD[:-1]}",  # all but its last letter: the page repeats the query
        "/countries/",
        f"/countries/{country}/",
        "/stages/4/",
        "/stages/7/",
        "/recommendations/",
        "/feeds/reports/",
        f"/countries/{country}/feed/",
        "/stages/4/feed/",
        "/stages/7/feed/",
        "/sitemap-reports.xml",
    ]


def own_addresses(report):
    """Addresses that are the report's own: 200 while it is public, 404 otherwise."""
    attachment = report.attachments.get()
    return [
        report.get_absolute_url(),
        *(f"{report.get_absolute_url()}citation.{kind}" for kind in ("bib", "ris", "json")),
        attachment.get_absolute_url(),
        attachment.get_preview_url(),
        *(report.image_url(name) for name in report.image_names),
        f"{report.get_absolute_url()}card-{card_version(report)}.png",
        report.recommendations.get().addressee.get_absolute_url(),
    ]


def addresses(report):
    """Every address to watch, each with whether it is a list (True) or the report's own."""
    return {
        **{path: True for path in list_addresses(report)},
        **{path: False for path in own_addresses(report)},
    }


def shows_the_report(proxy, path, listed):
    """Whether an anonymous reader gets the report at `path`: its own address answers, or
    the list there names it."""
    status, _, body = fetch(proxy, path)
    assert status in (200, 404), (path, status)
    if status == 404:
        return False
    return not listed or WORD.encode() in body or SLUG.encode() in body


def showing(proxy, paths):
    return [path for path, listed in paths.items() if shows_the_report(proxy, path, listed)]


def read_through_the_proxy(proxy, paths):
    """Read every address twice, so nginx holds a copy; the cache states of the second read."""
    for path in paths:
        fetch(proxy, path)
    return {path: fetch(proxy, path)[1].get("X-Proxy-Cache") for path in paths}


def run_in_another_process(app_env, code):
    """Run `code` in `manage.py shell`; it prints the moment its step was committed."""
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT,
        env=app_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        if line.startswith("committed at "):
            return float(line.removeprefix("committed at ")), process
    process.wait()
    pytest.fail(f"The step failed in the other process:\n{process.stderr.read()}")


def wait_for(proxy, paths, *, shown, since):
    """Poll every address, each in a thread of its own, until it does (or no longer does)
    show the report (`shown`), asking for POLL_SECONDS at most. Returns, for each address that
    changed, when the first request to see the change was sent and when it was answered (in
    seconds from `since`), and the addresses that did not change."""

    def watch(path):
        while (asked := time.time()) < since + POLL_SECONDS:
            if shows_the_report(proxy, path, paths[path]) == shown:
                return path, (asked - since, time.time() - since)
            time.sleep(0.02)
        return path, None

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        results = dict(pool.map(watch, paths))
    changed = {path: times for path, times in results.items() if times is not None}
    return changed, [path for path in paths if path not in changed]


def summary(what, changed):
    """One line: when the last address changed, by the answer that showed it."""
    slowest = max(changed, key=lambda path: changed[path][1])
    asked, answered = changed[slowest]
    return (
        f"{what}: last of {len(changed)} addresses answered {answered:.2f} s after the commit "
        f"(asked at {asked:.2f} s; {slowest})"
    )


def record(line):
    print(line)
    SUMMARY.append(line)
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "retraction.txt").open("a") as out:
        out.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {connection.vendor}: {line}\n")


UNPUBLISH = """
from django.contrib.auth.models import User
from reports.models import Report
from reports.workflow import report_unpublish
report_unpublish(Report.objects.get(slug="{slug}"), user=User.objects.get(username="editor"))
"""
DELETE = """
from reports.models import Report
Report.objects.get(slug="{slug}").delete()  # as the admin's delete does
"""
PUBLISH = """
from django.contrib.auth.models import User
from reports.models import Report
from reports.workflow import report_publish
report_publish(Report.objects.get(slug="{slug}"), user=User.objects.get(username="editor"))
"""
COMMITTED = "\nimport time\nprint('committed at', time.time(), flush=True)\n"


@pytest.mark.parametrize("step", [UNPUBLISH, DELETE], ids=["unpublished", "deleted"])
def test_a_retracted_report_is_gone_from_every_address_through_nginx_within_seconds(
    proxy, app_env, editor, step
):
    factories.published_report(title="A report that stays")
    report = make_report(status=Report.Status.PUBLISHED, published_at=timezone.now())
    paths = addresses(report)
    assert showing(proxy, paths) == list(paths)
    held = read_through_the_proxy(proxy, paths)
    # nginx keeps pages: within their second the copy is sent, after it revalidated (304).
    assert held[report.get_absolute_url()] in ("HIT", "REVALIDATED"), held
    # Files it sends only when the site says so, each time, and keeps no copy of them; the
    # folder they come from cannot be asked for directly.
    pdf = report.attachments.get()
    assert held[pdf.get_absolute_url()] is None, held
    assert fetch(proxy, f"/_files/{pdf.file.name}")[0] == 404

    committed, process = run_in_another_process(app_env, step.format(slug=SLUG) + COMMITTED)
    changed, left = wait_for(proxy, paths, shown=False, since=committed)
    assert process.wait(timeout=30) == 0, process.stderr.read()

    assert left == [], f"still showing the report after {POLL_SECONDS} s: {left}"
    kind = "unpublish" if step is UNPUBLISH else "delete"
    record(summary(f"retraction through nginx ({kind}), gone", changed))


def test_a_new_publication_appears_at_every_address_through_nginx_within_seconds(
    proxy, app_env, editor
):
    factories.published_report(title="A report already public")
    report = make_report(status=Report.Status.IN_REVIEW)
    before = addresses(report)
    read_through_the_proxy(proxy, before)
    assert showing(proxy, before) == []

    committed, process = run_in_another_process(app_env, PUBLISH.format(slug=SLUG) + COMMITTED)
    # The card's address names its version, which includes the publication date.
    paths = addresses(Report.objects.get(pk=report.pk))
    changed, left = wait_for(proxy, paths, shown=True, since=committed)
    assert process.wait(timeout=30) == 0, process.stderr.read()

    assert left == [], f"still not showing the report after {POLL_SECONDS} s: {left}"
    record(summary("publication through nginx, showing it", changed))


def test_after_a_quiet_spell_the_first_reader_gets_no_expired_copy_of_a_retracted_report(
    proxy, app_env, editor
):
    """nginx hands out no expired copy while it asks the site again: an old page sent to the
    first reader after nobody asked for a while would be kept as long as the quiet lasted."""
    report = make_report(status=Report.Status.PUBLISHED, published_at=timezone.now())
    paths = addresses(report)
    read_through_the_proxy(proxy, paths)

    committed, process = run_in_another_process(app_env, UNPUBLISH.format(slug=SLUG) + COMMITTED)
    assert process.wait(timeout=30) == 0, process.stderr.read()
    # Nobody asks until every copy nginx holds is past the deadline the site gave it.
    time.sleep(max(0.0, committed + 2 - time.time()))

    assert showing(proxy, paths) == []
