"""Every public page as the Nu Html Checker (vnu) reads it: no error, on either database.

The pages are fetched with the test client, written to a folder and checked in one run of
vnu (from the `vnu-jar` npm package, `npm ci`; Java from Debian). Without Java or the jar the
test is skipped with a message, unless CI (or REQUIRE_VNU=1) makes that a failure.
"""

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alerts import subscriptions as alerts
from alerts.models import Subscriber
from reports.models import AlertLevel, Report, Stage

from . import factories
from .conftest import required

pytestmark = pytest.mark.django_db

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_command():
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        required(
            "The Nu Html Checker needs Java (apt-get install default-jre-headless) and "
            "node_modules/vnu-jar (npm ci)",
            "REQUIRE_VNU",
        )
    return [java, "-Xss1m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always"]


@pytest.fixture
def site_with_content():
    """The demo report, a second country at another level with a lead image, and an
    unfinished draft that must stay out of every page."""
    call_command("load_demo", verbosity=0)
    other = factories.published_report(
        country=factories.country("SD", name="Sudan", slug="sudan"),
        alert_level=AlertLevel.WARNING,
        title="Sudan Country Report 2024",
        slug="sudan-country-report-2024",
        year=2024,
        published_at=timezone.now() - timedelta(hours=2),
    )
    other.stages.set(Stage.objects.filter(number__in=[1, 2, 3]))
    factories.with_lead_image(other)
    factories.draft_report(title="Unfinished draft", slug="unfinished-draft")
    return other


def public_pages():
    mali = Report.objects.get(slug="mali-country-report-2023", translation_of=None)
    addressee = mali.recommendations.first().addressee
    subscriber = Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    pages = {
        "home": "/",
        "reports": "/reports/",
        "reports-page-2": "/reports/?page=1",
        "search": "/reports/?q=Mali",
        "search-nothing": "/reports/?q=nothingmatchesthis",
        "filtered": "/reports/?country=mali&stage=5",
        "report": mali.get_absolute_url(),
        "report-with-image": "/reports/sudan-country-report-2024/",
        "countries": "/countries/",
        "countries-by-name": "/countries/?sort=name",
        "country": "/countries/mali/",
        "country-2": "/countries/sudan/",
        "stages": "/stages/",
        "recommendations": "/recommendations/",
        "recommendations-filtered": f"/recommendations/?addressee={addressee.slug}",
        "addressee": addressee.get_absolute_url(),
        "subscribe": "/subscribe/",
        "subscribe-sent": "/subscribe/sent/",
        "manage": alerts.manage_link(subscriber),
        "unsubscribe": alerts.unsubscribe_link(subscriber),
        "expired-link": "/subscribe/confirm/not-a-real-token/",
        "not-found": "/reports/no-such-report/",
    }
    pages |= {f"stage-{n}": f"/stages/{n}/" for n in range(1, 11)}
    return pages


def fetch(client, address):
    path = address.split("://", 1)[-1].split("/", 1)[-1]
    response = client.get("/" + path, follow=True)
    assert response.status_code in (200, 400, 404), f"{address}: {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), address
    return response.content


def test_every_public_page_has_no_error_in_the_nu_html_checker(site_with_content, tmp_path):
    command = vnu_command()
    client = Client()
    files = {}
    for name, address in public_pages().items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(fetch(client, address))
        files[str(path)] = f"{name} ({address})"
    result = subprocess.run(  # noqa: S603 - our own command and file names
        [*command, *files], capture_output=True, text=True, timeout=300, check=False
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))} "
        f"line {m.get('lastLine')}: {m['message']} ({m.get('extract', '').strip()[:120]})"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert len(files) >= 30
    assert not errors, "\n".join(errors)
