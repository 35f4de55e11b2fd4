"""Reports from the old site, brought in from a manifest and its PDFs.

Every entry is judged first, and every problem with it is said, by line; a dry run stops
there. Otherwise each good entry is created in a transaction of its own (the report, its
byline, stages, recommendations, PDF editions, old address, a revision and an audit
event), so an entry is imported whole or not at all; files stored for an entry that
failed are removed at once. An entry already imported (same old address, or same
country, year and title) is skipped, so running a manifest twice creates nothing twice.

Imported reports keep their original publication date and are published as the manifest
says (`status`, "published" by default; "draft" leaves one for an editor), without
emailing subscribers: they are the archive, not news.
"""

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django_countries import countries

from alerts.models import Announcement
from audit.models import AuditEvent, record
from reports import uploads
from reports.models import (
    Addressee,
    AlertLevel,
    Attachment,
    Author,
    Authorship,
    Country,
    Language,
    Recommendation,
    Report,
    Stage,
)
from reports.richtext import ALLOWED_TAGS, sanitize_html

from .manifest import ManifestError, read_manifest, split_list
from .models import Redirect, clean_path

logger = logging.getLogger(__name__)

TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9]*)")
STATUSES = {
    "published": Report.Status.PUBLISHED,
    "draft": Report.Status.DRAFT,
    "": Report.Status.PUBLISHED,
}

__all__ = ["ManifestError", "run"]


@dataclass
class Edition:
    path: Path
    title: str
    language: str
    facts: object


@dataclass
class Plan:
    """What one good entry will create."""

    title: str
    country_code: str
    year: int
    level: str
    stages: list
    published_at: object
    updated_at: object
    authors: list
    summary: str
    body: str
    recommendations: list  # [(addressee name, text)]
    editions: list
    old_path: str
    status: str
    slug: str = ""
    existing: object = None  # the report already imported for this entry


@dataclass
class Line:
    """What happened (or would happen) to one entry of the manifest."""

    line: int
    title: str
    outcome: str  # "create", "created", "present", "refused", "failed"
    notes: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    report: object = None

    def text(self, dry_run):
        what = {
            "create": "would create" if dry_run else "created",
            "created": "created",
            "present": "already imported, skipped",
            "refused": "refused, nothing imported",
            "failed": "failed, nothing imported",
        }[self.outcome]
        title = f" “{self.title}”" if self.title else ""
        lines = [f"line {self.line}{title}: {what}"]
        lines += [f"    {note}" for note in self.notes]
        lines += [f"    problem: {problem}" for problem in self.problems]
        return "\n".join(lines)


@dataclass
class Result:
    manifest: str
    dry_run: bool
    lines: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # about the manifest as a whole

    def count(self, *outcomes):
        return sum(1 for line in self.lines if line.outcome in outcomes)

    @property
    def created(self):
        return self.count("create", "created")

    @property
    def present(self):
        return self.count("present")

    @property
    def refused(self):
        return self.count("refused", "failed")

    @property
    def summary(self):
        verb = "would be created" if self.dry_run else "created"
        return (
            f"{'Dry run of' if self.dry_run else 'Imported'} {self.manifest}: "
            f"{self.created} {'report' if self.created == 1 else 'reports'} {verb}, "
            f"{self.present} already imported, {self.refused} refused."
        )

    def text(self):
        parts = [self.summary, *self.notes]
        parts += [line.text(self.dry_run) for line in self.lines]
        return "\n".join(parts)


def run(manifest_path, *, dry_run=True, user=None):
    """Judge every entry of the manifest and, unless `dry_run`, import the good ones.

    PDF paths are read relative to the manifest's folder, and must stay inside it."""
    manifest_path = Path(manifest_path)
    entries = read_manifest(manifest_path)
    result = Result(manifest_path.name, dry_run)
    base = manifest_path.parent.resolve()
    judge = Judge(base)
    for entry in entries:
        title = str(entry.values.get("title") or "").strip()
        line = Line(entry.line, title, "create")
        if entry.unknown:
            line.notes.append(f"ignored: {', '.join(entry.unknown)} (not a column we know)")
        plan = judge.plan(entry.values, line)
        if line.problems:
            line.outcome = "refused"
        elif plan.existing is not None:
            line.outcome = "present"
            line.report = plan.existing
            leads_to = Redirect.objects.filter(old_path=plan.old_path, report=plan.existing)
            if plan.old_path and not leads_to.exists():
                line.notes.append(f"its old address {plan.old_path} now leads to it")
                if not dry_run:
                    Redirect.objects.update_or_create(
                        old_path=plan.old_path, defaults={"report": plan.existing, "new_path": ""}
                    )
        elif not dry_run:
            try:
                source = f"{manifest_path.name}, line {entry.line}"
                line.report = create(plan, user=user, source=source)
            except Exception as error:
                logger.exception("Import of line %s failed", entry.line)
                line.outcome = "failed"
                line.problems.append(_reason(error))
        result.lines.append(line)
    return result


def _reason(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return f"the database refused it ({error.__class__.__name__}: {error})"


class Judge:
    """Checks entries one by one, remembering what earlier entries of the same manifest
    take (addresses, keys), so two entries cannot claim the same thing."""

    def __init__(self, base):
        self.base = base
        self.keys = {}  # stable key → line that claimed it
        self.slugs = set()
        self.new_countries, self.new_addressees, self.new_authors = set(), set(), set()

    def plan(self, values, line):
        problems = line.problems
        text = _text(values)
        title = text("title")
        if not title:
            problems.append("title: missing")
        elif len(title) > 200:
            problems.append("title: longer than 200 characters")
        code = self.country(text("country"), problems)
        year = _year(text("year"), problems)
        old_address = text("old_address")
        old_path = clean_path(old_address) if old_address else ""
        if old_path == "/":
            problems.append("old_address: the home page cannot be an old address")
            old_path = ""
        elif len(old_path) > 500:
            problems.append("old_address: longer than 500 characters")
        if not problems:
            # Imported before? Then nothing else about it matters (its PDFs are not checked).
            existing = self.identify(title, code, year, old_path, line)
            if existing is not None or line.problems:
                return Plan(title, code, year, *[None] * 9, old_path, None, existing=existing)
        level = _level(text("level"), problems)
        stages = _stages(values.get("stages"), problems)
        status = STATUSES.get(text("status").lower())
        if status is None:
            problems.append(f"status: “{text('status')}” is neither “published” nor “draft”")
        published_at = _when(text("published"), "published", problems)
        updated_at = _when(text("updated"), "updated", problems)
        if status == Report.Status.PUBLISHED and not text("published"):
            problems.append("published: missing (a published report needs its original date)")
        if published_at and published_at > timezone.now():
            problems.append("published: in the future (an archive report was published already)")
        if published_at and updated_at and updated_at < published_at:
            problems.append("updated: before the publication date")
        summary = " ".join(text("summary").split())
        if not summary:
            problems.append("summary: missing (two or three sentences for lists and sharing)")
        elif len(summary) > 400:
            problems.append(f"summary: {len(summary)} characters; at most 400")
        body = self.body(values.get("body"), line)
        authors = [" ".join(str(a).split()) for a in split_list(values.get("byline"))]
        for name in authors:
            if len(name) > 150:
                problems.append(f"byline: “{name[:40]}…” is longer than 150 characters")
        recommendations = _recommendations(values.get("recommendations"), problems)
        editions = self.editions(values.get("pdfs"), problems)
        plan = Plan(
            title=title,
            country_code=code,
            year=year,
            level=level,
            stages=stages,
            published_at=published_at,
            updated_at=updated_at or published_at,
            authors=authors,
            summary=summary,
            body=body,
            recommendations=recommendations,
            editions=editions,
            old_path=old_path,
            status=status,
        )
        if not problems:
            plan.slug = self.slug(plan, old_path)
            self.describe(plan, line)
        return plan

    def country(self, value, problems):
        if not value:
            problems.append("country: missing")
            return ""
        code = value.upper() if len(value) == 2 and value.upper() in countries else ""
        if not code:
            found = Country.objects.filter(name__iexact=value).first() or (
                Country.objects.filter(slug=slugify(value)).first()
            )
            code = str(found.code) if found else countries.by_name(value)
        if not code:
            problems.append(
                f"country: “{value}” is not a country we know; give its name in English or "
                "its two-letter ISO code (e.g. ML)"
            )
        return code

    def body(self, value, line):
        raw = str(value or "").strip()
        if not raw:
            return ""
        if not TAG.search(raw):  # plain text: paragraphs separated by blank lines
            paragraphs = re.split(r"\n\s*\n", raw.replace("\r\n", "\n"))
            raw = "".join(
                "<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>"
                for p in paragraphs
                if p.strip()
            )
            return sanitize_html(raw)
        removed = sorted({t.lower() for t in TAG.findall(raw)} - ALLOWED_TAGS)
        if removed:
            line.notes.append(
                "body: markup the site does not allow is removed, its text kept "
                f"({', '.join('<' + t + '>' for t in removed)}; scripts and styles go whole)"
            )
        return sanitize_html(raw)

    def editions(self, value, problems):
        editions = []
        for number, item in enumerate(split_list(value), start=1):
            spec = item if isinstance(item, dict) else {"path": item}
            name = str(spec.get("path") or "").strip()
            language = str(spec.get("language") or Language.ENGLISH).strip().lower()
            if language not in Language.values:
                problems.append(f"pdf {number} ({name}): “{language}” is not a language we list")
            path = (self.base / name).resolve()
            if not name or not path.is_relative_to(self.base):
                problems.append(f"pdf {number} ({name}): give a path inside the manifest's folder")
                continue
            if not path.is_file():
                problems.append(f"pdf {number} ({name}): no such file beside the manifest")
                continue
            try:
                with path.open("rb") as handle:
                    facts = uploads.check_pdf(File(handle, name=path.name))
            except ValidationError as error:
                messages = error.message_dict.get("file", error.messages)
                problems.append(f"pdf {number} ({name}): {' '.join(messages)}")
                continue
            title = str(spec.get("title") or "").strip()[:200]
            editions.append(Edition(path, title, language, facts))
        return editions

    def identify(self, title, code, year, old_path, line):
        """The report this entry was imported as before, if it was.

        The stable key is the old address when there is one, and always country, year and
        title. A key an earlier entry of this manifest claimed is a problem."""
        keys = [("title", code, year, title.casefold())]
        if old_path:
            keys.append(("address", old_path))
        for key in keys:
            if key in self.keys:
                line.problems.append(f"the same report as line {self.keys[key]}")
                return None
        for key in keys:
            self.keys[key] = line.line
        if old_path:
            redirect = Redirect.objects.filter(old_path=old_path).first()
            if redirect is not None and redirect.report_id:
                return redirect.report
            if redirect is not None and redirect.new_path:
                line.problems.append(
                    f"old_address: {old_path} already leads to {redirect.new_path} "
                    "(a redirect added by hand); remove it in the admin first"
                )
                return None
        return Report.objects.filter(
            country__code=code, year=year, title__iexact=title, revises__isnull=True
        ).first()

    def slug(self, plan, old_path):
        stem = slugify(old_path.rsplit("/", 1)[-1]) if old_path else ""
        stem = (stem or slugify(plan.title) or f"report-{plan.year}")[:190]
        candidates = [stem, f"{stem}-{plan.year}"] + [f"{stem}-{n}" for n in range(2, 100)]
        for slug in candidates:
            if slug not in self.slugs and not Report.objects.filter(slug=slug).exists():
                self.slugs.add(slug)
                return slug
        raise ValidationError("No free address for this report.", code="no_slug")

    def describe(self, plan, line):
        level = AlertLevel(plan.level).label
        when = f"{plan.published_at:%-d %b %Y}" if plan.published_at else "no date"
        state = "published" if plan.status == Report.Status.PUBLISHED else "draft"
        line.notes.append(
            f"{state}, {when}: {_country_name(plan.country_code)} {plan.year}, {level}, "
            f"at /reports/{plan.slug}/"
        )
        counts = [
            (len(plan.stages), "stage", "stages"),
            (len(plan.authors), "author", "authors"),
            (len(plan.recommendations), "recommendation", "recommendations"),
            (len(plan.editions), "PDF", "PDFs"),
        ]
        line.notes.append(", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts))
        if plan.old_path:
            line.notes.append(f"old address {plan.old_path} answers 301 with it")
        code = plan.country_code
        if code not in self.new_countries and not Country.objects.filter(code=code).exists():
            self.new_countries.add(plan.country_code)
            line.notes.append(f"new country: {_country_name(plan.country_code)}")
        for name, _ in plan.recommendations:
            folded = name.casefold()
            if folded not in self.new_addressees and not _addressee(name):
                self.new_addressees.add(folded)
                line.notes.append(f"new addressee: {name}")
        for name in plan.authors:
            if name not in self.new_authors and not Author.objects.filter(name=name).exists():
                self.new_authors.add(name)
                line.notes.append(f"new author: {name}")


def _text(values):
    def text(name):
        value = values.get(name)
        return "" if value is None else str(value).strip()

    return text


def _country_name(code):
    return countries.name(code) or code


def _year(value, problems):
    try:
        year = int(value)
    except ValueError:
        problems.append(f"year: “{value}” is not a year" if value else "year: missing")
        return None
    if not 1945 <= year <= 2100:
        problems.append(f"year: {year} is outside 1945–2100")
        return None
    return year


def _level(value, problems):
    folded = value.lower().removeprefix("genocide ").strip()
    if folded in AlertLevel.values:
        return folded
    problems.append(
        f"level: “{value}” is not one of watch, warning, emergency" if value else "level: missing"
    )
    return None


def _stages(value, problems):
    names = {stage.name.casefold(): stage for stage in Stage.objects.all()}
    numbers = {stage.number: stage for stage in names.values()}
    found = []
    items = value if isinstance(value, list) else str(value or "").replace(",", ";")
    for item in split_list(items):
        text = str(item).strip()
        number = text.lower().removeprefix("stage").strip().split(" ")[0].rstrip(":")
        if number.isdigit() and int(number) in numbers:
            stage = numbers[int(number)]
        elif text.casefold() in names:
            stage = names[text.casefold()]
        else:
            problems.append(f"stages: “{text}” is not one of the ten stages (1–10 or a name)")
            continue
        if stage not in found:
            found.append(stage)
    return found


def _when(value, name, problems):
    if not value:
        return None
    try:
        day = parse_date(value) if len(value) <= 10 else None
        moment = datetime.combine(day, time.min) if day else parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        problems.append(f"{name}: “{value}” is not a date (write 2023-12-04)")
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _recommendations(value, problems):
    found = []
    for number, item in enumerate(split_list(value, lines_only=True), start=1):
        if isinstance(item, dict):
            name, text = str(item.get("addressee") or ""), str(item.get("text") or "")
        else:
            name, _, text = str(item).partition(":")
        name, text = " ".join(name.split()), text.strip()
        if not name or not text:
            problems.append(
                f"recommendation {number}: write it as “Addressee: what they should do”"
            )
        elif len(name) > 150:
            problems.append(f"recommendation {number}: the addressee's name is too long")
        else:
            found.append((name, text))
    return found


def _addressee(name):
    return Addressee.objects.filter(name__iexact=name).first()


def _new_addressee(name):
    stem = slugify(name.removeprefix("The ")) or "addressee"
    slug, n = stem[:140], 2
    while Addressee.objects.filter(slug=slug).exists():
        slug, n = f"{stem[:140]}-{n}", n + 1
    return Addressee.objects.create(name=name, slug=slug)


def create(plan, *, user=None, source=""):
    """Create one entry's report whole, or nothing: on any failure its transaction is
    rolled back and the files already stored for it are removed."""
    stored = []
    storage = Attachment._meta.get_field("file").storage
    try:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(f"Imported from the archive ({source}).")
            report = _create(plan, user=user, stored=stored, source=source)
    except BaseException:
        for name in stored:
            storage.delete(name)
        raise
    return report


def _create(plan, *, user, stored, source):
    country = Country.objects.filter(code=plan.country_code).first()
    if country is None:
        country = Country.objects.create(code=plan.country_code)
    report = Report.objects.create(
        country=country,
        year=plan.year,
        alert_level=plan.level,
        title=plan.title,
        slug=plan.slug,
        summary=plan.summary,
        body=plan.body,
        status=plan.status,
        published_at=plan.published_at,
        published_by=user if plan.status == Report.Status.PUBLISHED else None,
        updated_by=user,
    )
    report.stages.set(plan.stages)
    for order, name in enumerate(plan.authors):
        author, _ = Author.objects.get_or_create(name=name)
        Authorship.objects.get_or_create(report=report, author=author, defaults={"order": order})
    for order, (name, text) in enumerate(plan.recommendations):
        addressee = _addressee(name) or _new_addressee(name)
        Recommendation.objects.create(report=report, addressee=addressee, text=text, order=order)
    for edition in plan.editions:
        attachment = Attachment(report=report, title=edition.title, language=edition.language)
        with edition.path.open("rb") as handle:
            upload = File(handle, name=edition.path.name)
            uploads.attach_pdf(attachment, upload, facts=edition.facts)
            try:
                attachment.save()
            finally:
                stored += [f.name for f in (attachment.file, attachment.preview) if f and f.name]
    if plan.old_path:
        # Taking over an old address whose report was deleted, if there is one.
        Redirect.objects.update_or_create(
            old_path=plan.old_path, defaults={"report": report, "new_path": ""}
        )
    # The archive is not news: subscribers are never emailed about it, now or when a draft
    # imported here is published later.
    Announcement.objects.create(report=report)
    reversion.add_to_revision(report)
    record(
        AuditEvent.Action.ADD,
        actor=user,
        actor_name=None if user else "manage.py import_archive",
        obj=report,
        detail=f"Imported from the archive ({source}).",
    )
    if plan.updated_at:
        # Its text has not changed since the old site last changed it.
        Report.objects.filter(pk=report.pk).update(updated_at=plan.updated_at)
    return report
