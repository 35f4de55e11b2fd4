"""What a process shares between its threads (gunicorn's gthread workers) holds no request."""

import inspect
import threading
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from . import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_data")]

ATOM = "{http://www.w3.org/2005/Atom}"
THREADS = 8
ROUNDS = 5


FEED_TITLES = {
    "/feeds/reports/": ": reports and alerts",
    "/countries/mali/feed/": ": Mali",
    "/countries/sudan/feed/": ": Sudan",
}


def enclosure_hosts(feed):
    return {
        link.get("href").split("/")[2]
        for link in feed.iter(f"{ATOM}link")
        if link.get("rel") == "enclosure"
    }


def test_feeds_fetched_from_many_threads_at_once_each_answer_their_own_request(
    settings, without_page_cache
):
    hosts = [f"reader-{i}.example.org" for i in range(THREADS)]
    settings.ALLOWED_HOSTS = hosts
    for code in ("ML", "SD"):
        report = factories.published_report(country=factories.country(code))
        factories.attachment(report)
    paths = list(FEED_TITLES)
    # Every thread asks at the same moment, many times over, so that a feed kept by the
    # process would be answering several requests at once.
    start = threading.Barrier(THREADS)

    def fetch(i):
        client = Client()
        answers = []
        try:
            for round_ in range(ROUNDS):
                path = paths[(i + round_) % len(paths)]
                start.wait(timeout=30)
                response = client.get(path, headers={"host": hosts[i]})
                answers.append((path, response.status_code, response.content))
        finally:
            connection.close()  # this thread's own connection
        return answers

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(fetch, range(THREADS)))

    for host, answers in zip(hosts, results, strict=True):
        for path, status, content in answers:
            assert status == 200, (host, path)
            feed = ET.fromstring(content)
            assert feed.findtext(f"{ATOM}title").endswith(FEED_TITLES[path]), (host, path)
            assert enclosure_hosts(feed) == {host}, (host, path)


def views_of(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from views_of(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def test_no_view_in_the_address_table_is_one_object_shared_by_every_request():
    # A view that is an instance (a Feed, say) lives as long as the process and answers every
    # thread's requests: anything it keeps on itself leaks from one reader to another.
    # Functions, and the admin's bound methods (Django's, keeping nothing per request), are
    # fine; class-based views make an instance per request.
    shared = [
        view
        for view in views_of(get_resolver().url_patterns)
        if not (inspect.isfunction(view) or inspect.ismethod(view))
    ]
    assert shared == []
