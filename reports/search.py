"""Full-text search over public reports.

On PostgreSQL: a weighted tsvector per report (title and headline highest, then the summary,
then the body, recommendations and PDF text) in a GIN index, ranked, with highlighted
snippets; phrases in quotes and word prefixes work as readers expect. Each row is indexed
with its own language's text-search configuration (French stemming for a French
translation) and searched with the same one. Readers of a language find the reports
written or translated in it first. On SQLite the same URL does a plain word match, so a
development copy still searches.
"""

import functools
import operator
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from .models import Report

# PostgreSQL's text-search configuration for each language; "simple" (no stemming, no stop
# words) for a language it has none for, Arabic included.
CONFIGS = {"en": "english", "fr": "french", "es": "spanish", "pt": "portuguese", "ru": "russian"}
CONFIG = CONFIGS["en"]


def config(language):
    return CONFIGS.get(language, "simple")


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
        used = config(report.language)
        fields["search_vector"] = (
            SearchVector(Value(report.title), Value(report.headline), weight="A", config=used)
            + SearchVector(Value(report.summary), weight="B", config=used)
            + SearchVector(Value(fields["search_text"]), weight="C", config=used)
        )
    Report.objects.filter(pk=report_id).update(**fields)


def _tsquery(text, used=CONFIG):
    """A PostgreSQL query: quoted phrases match as phrases, other words also as prefixes."""
    queries = [
        SearchQuery(phrase, search_type="phrase", config=used) for phrase in PHRASE.findall(text)
    ]
    words = WORD.findall(PHRASE.sub(" ", text))
    if words:
        raw = " & ".join(f"{word}:*" for word in words)
        queries.append(SearchQuery(raw, search_type="raw", config=used))
    query = queries[0]
    for other in queries[1:]:
        query &= other
    return query


def _languages():
    from django.conf import settings

    return [code for code, _ in settings.LANGUAGES]


def _matches(text):
    """Rows matching `text`, each through its own language's configuration."""
    if uses_postgresql():
        queries = {code: _tsquery(text, config(code)) for code in _languages()}
        found = Q()
        for code, query in queries.items():
            found |= Q(language=code, search_vector=query)
        # The same, less exactly (a row of any language matching any language's query),
        # but in one condition that PostgreSQL reads from the index before checking rows.
        any_language = functools.reduce(operator.or_, queries.values())
        return Q(search_vector=any_language) & found
    found = Q()
    for word in WORD.findall(text):
        found &= Q(title__icontains=word) | Q(search_text__icontains=word)
    return found


def _per_language(make):
    return Case(*(When(language=code, then=make(config(code))) for code in _languages()))


def search(reports, text, language=None):
    """`reports` (originals) matching `text`, best first. With a `language`, a report also
    matches through its public translation into it, and those written or translated in it
    come first. Snippets are `snippets()`, for the reports shown."""
    if not WORD.search(text):
        return reports.none()
    found = _matches(text)
    # Matching rows are found through the index and named by their original, so PostgreSQL
    # joins the few it finds to `reports` rather than testing every report against the query
    # (which an OR with a per-report EXISTS made it do).
    rows = Q(translation_of__isnull=True)
    in_language = Q(language=language) if language else Q(pk__in=[])
    if language:
        readable = Report.objects.public_translations().filter(language=language)
        rows |= Q(pk__in=readable.values("pk"))
        in_language |= Exists(readable.filter(found, translation_of=OuterRef("pk")))
    matching = Report.objects.filter(found, rows).values(original=Coalesce("translation_of", "pk"))
    reports = reports.filter(pk__in=matching).annotate(
        in_reader_language=Case(When(in_language, then=Value(1)), default=Value(0))
    )
    if uses_postgresql():
        return reports.annotate(
            rank=_per_language(lambda used: SearchRank(F("search_vector"), _tsquery(text, used))),
        ).order_by("-in_reader_language", "-rank", "-published_at")
    return reports.order_by("-in_reader_language", "-published_at", "-pk")


def snippets(reports, text):
    """Give each of the `reports` shown a `snippet` around what was searched for.

    PostgreSQL's highlighting reads a report's whole text, so it runs here, for the page's
    reports only, never in the search itself (which may match every report)."""
    originals = [report.pk for report in reports if not report.is_translation]
    highlighted = {}
    if originals and uses_postgresql():
        highlighted = dict(
            Report.objects.filter(pk__in=originals)
            .annotate(highlighted=_per_language(lambda used: _headline(text, used)))
            .values_list("pk", "highlighted")
        )
    words = WORD.findall(text)
    for report in reports:
        raw = highlighted.get(report.pk)
        if raw is None:
            raw = _plain_snippet(report.search_text or report.summary, words)
        html = escape(raw).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
        report.snippet = mark_safe(html)  # noqa: S308 - escaped just above; only our marks added


def _headline(text, used):
    return SearchHeadline(
        "search_text",
        _tsquery(text, used),
        config=used,
        start_sel=MARK_START,
        stop_sel=MARK_END,
        max_words=35,
        min_words=15,
        max_fragments=2,
    )


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
