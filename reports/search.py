"""Full-text search over public reports.

On PostgreSQL: a weighted tsvector per report (title and headline highest, then the summary,
then the body, recommendations and PDF text) in a GIN index, ranked, with highlighted
snippets; phrases in quotes and word prefixes work as readers expect. On SQLite the same
URL does a plain word match, so a development copy still searches.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, Value
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from .models import Report

CONFIG = "english"
MARK_START, MARK_END = "\x02", "\x03"  # placeholders, escaped safely before becoming <mark>
WORD = re.compile(r"\w+", re.UNICODE)
PHRASE = re.compile(r'"([^"]+)"')


def uses_postgresql():
    return connection.vendor == "postgresql"


def document(report):
    """All the words a report can be found by, as plain text."""
    parts = [report.headline, report.summary, strip_tags(report.body)]
    parts += [f"{r.addressee.name} {r.text}" for r in report.recommendations.all()]
    parts += [a.text for a in report.attachments.all()]
    return " ".join(" ".join(parts).split())


def refresh(report_id):
    report = (
        Report.objects.select_related("country")
        .prefetch_related("recommendations__addressee", "attachments")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return
    fields = {"search_text": document(report)}
    if uses_postgresql():
        fields["search_vector"] = (
            SearchVector(Value(report.title), Value(report.headline), weight="A", config=CONFIG)
            + SearchVector(Value(report.summary), weight="B", config=CONFIG)
            + SearchVector(Value(fields["search_text"]), weight="C", config=CONFIG)
        )
    Report.objects.filter(pk=report_id).update(**fields)


def _tsquery(text):
    """A PostgreSQL query: quoted phrases match as phrases, other words also as prefixes."""
    queries = [
        SearchQuery(phrase, search_type="phrase", config=CONFIG) for phrase in PHRASE.findall(text)
    ]
    words = WORD.findall(PHRASE.sub(" ", text))
    if words:
        raw = " & ".join(f"{word}:*" for word in words)
        queries.append(SearchQuery(raw, search_type="raw", config=CONFIG))
    query = queries[0]
    for other in queries[1:]:
        query &= other
    return query


def search(reports, text):
    """`reports` matching `text`, best first, each with a `snippet` of marked-up HTML."""
    if not WORD.search(text):
        return reports.none()
    if uses_postgresql():
        query = _tsquery(text)
        return (
            reports.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                headline_html=SearchHeadline(
                    "search_text",
                    query,
                    config=CONFIG,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                ),
            )
            .order_by("-rank", "-published_at")
        )
    matches = Q()
    for word in WORD.findall(text):
        matches &= Q(title__icontains=word) | Q(search_text__icontains=word)
    return reports.filter(matches)


def snippet(report, text):
    """HTML: a passage of the report around what was searched for, the words marked."""
    raw = getattr(report, "headline_html", None)
    if raw is None:
        raw = _plain_snippet(report.search_text or report.summary, WORD.findall(text))
    html = escape(raw).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped just above; only our own tags are added


def _plain_snippet(source, words, radius=160):
    lower = source.lower()
    positions = [lower.find(w.lower()) for w in words if lower.find(w.lower()) >= 0]
    start = max(min(positions) - radius // 2, 0) if positions else 0
    passage = source[start : start + radius * 2]
    for word in sorted(set(words), key=len, reverse=True):
        passage = re.sub(
            f"({re.escape(word)})", f"{MARK_START}\\1{MARK_END}", passage, flags=re.IGNORECASE
        )
    return ("…" if start else "") + passage + ("…" if start + radius * 2 < len(source) else "")
