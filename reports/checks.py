"""Checks a report goes through before it is published, each saying where to fix it.

Errors block publication, on the server, in the workflow's publish, schedule and
publish-changes steps (reports/workflow.py); warnings are shown and may be published past.
The same list is drawn on the report's form and on the step's own page.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

ERROR = "error"
WARNING = "warning"

# Link text that says nothing about where the link leads, once read out of context.
EMPTY_LINK_TEXT = {
    "click here",
    "here",
    "click",
    "link",
    "this link",
    "this",
    "read more",
    "more",
    "learn more",
    "see here",
    "go",
    "this page",
    "website",
}
# A description that names the file or the kind of thing, not what the picture shows.
EMPTY_DESCRIPTIONS = {"image", "photo", "picture", "photograph", "img", "lead image", "untitled"}
FILE_NAME = re.compile(r"^\S+\.(jpe?g|png|webp|gif)$|^(img|dsc|pxl)[_-]?\d+", re.IGNORECASE)
# Four words or more with no lower-case letter: read letter by letter by some screen readers
# and hard for everyone.
SHOUTED = re.compile(r"^(?=(?:\W*\b[A-Z][A-Z'’-]+\b){4})[^a-z]*$")


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR or WARNING
    code: str
    message: str
    where: str  # the part of the form to fix it in, as the form names it
    anchor: str  # the id on the report's form that leads there

    @property
    def is_error(self):
        return self.level == ERROR


def _short(text, length=60):
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


class _Outline(HTMLParser):
    """The headings, links and blocks of text of a report's body."""

    BLOCKS = {"p", "li", "blockquote", "h2", "h3", "h4"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings = []  # (level, text)
        self.links = []  # (href, text)
        self.blocks = []  # text of each paragraph, item or heading
        self._heading = None
        self._link = None
        self._block = []

    def handle_starttag(self, tag, attrs):
        if tag in {"h2", "h3", "h4"}:
            self._heading = (int(tag[1]), [])
        elif tag == "a":
            self._link = (dict(attrs).get("href", ""), [])
        if tag in self.BLOCKS:
            self._block = []

    def handle_endtag(self, tag):
        if tag in {"h2", "h3", "h4"} and self._heading:
            self.headings.append((self._heading[0], "".join(self._heading[1]).strip()))
            self._heading = None
        elif tag == "a" and self._link:
            self.links.append((self._link[0], "".join(self._link[1]).strip()))
            self._link = None
        if tag in self.BLOCKS:
            text = "".join(self._block).strip()
            if text:
                self.blocks.append(text)
            self._block = []

    def handle_data(self, data):
        for part in (self._heading, self._link):
            if part:
                part[1].append(data)
        self._block.append(data)


def body_findings(report):
    outline = _Outline()
    outline.feed(report.body or "")
    findings = []

    def add(level, code, message, where="Text", anchor="id_body"):
        findings.append(Finding(level, code, message, where, anchor))

    previous = 1  # the page's own title is the level-1 heading
    for level, text in outline.headings:
        if not text:
            add(ERROR, "empty_heading", "A heading has no words. Write one or remove it.")
        if level > previous + 1:
            add(
                ERROR,
                "skipped_heading",
                f"The heading “{_short(text)}” jumps from level {previous} to level {level}. "
                f"Make it level {previous + 1}: people who listen to the page move by "
                "headings and lose their place.",
            )
        previous = level
    for href, text in outline.links:
        words = " ".join(text.lower().split()).strip(".:!")
        if not words:
            add(ERROR, "empty_link", f"A link to {_short(href)} has no words to click.")
        elif words in EMPTY_LINK_TEXT:
            add(
                ERROR,
                "vague_link",
                f"The link “{_short(text)}” says nothing about where it leads. Use words "
                "that name it, e.g. “the Security Council's resolution 2085”.",
            )
        elif words.startswith(("http://", "https://", "www.")):
            add(
                WARNING,
                "address_as_link",
                f"The link “{_short(text)}” is an address. Words naming the page read better.",
            )
    for text in outline.blocks:
        if SHOUTED.match(text):
            add(
                WARNING,
                "all_capitals",
                f"“{_short(text)}” is written in capitals, which is hard to read and may be "
                "spelled out letter by letter. Use bold for emphasis.",
            )
    if report.lead_image:
        alt = " ".join(report.lead_image_alt.split())
        if not alt:
            add(
                ERROR,
                "image_without_description",
                "The lead image has no description for people who cannot see it.",
                "Lead image",
                "id_lead_image_alt",
            )
        elif alt.lower() in EMPTY_DESCRIPTIONS or FILE_NAME.match(alt):
            add(
                ERROR,
                "image_description_says_nothing",
                f"The lead image's description “{_short(alt)}” does not say what the picture "
                "shows. Describe it in a sentence.",
                "Lead image",
                "id_lead_image_alt",
            )
    return findings


def _mentions(text, phrase):
    return " ".join(phrase.lower().split()) in text


def pdf_findings(report, attachments=None):
    """Whether each PDF edition is this report's: the country and the year, then the title
    and every addressee of a recommendation, found in its text."""
    attachments = list(report.attachments.all() if attachments is None else attachments)
    findings = []
    addressees = sorted({str(r.addressee) for r in report.recommendations.all()})
    country_names = {report.country.name, report.country.code.name} if report.country_id else set()
    for edition in attachments:
        text = " ".join((edition.text or "").lower().split())
        if not text:
            continue  # a scanned PDF has no text to compare; nothing can be said
        missing = []
        if country_names and not any(_mentions(text, name) for name in country_names):
            missing.append(f"the country ({report.country.name})")
        if str(report.year) not in text:
            missing.append(f"the year ({report.year})")
        if report.title and not _mentions(text, report.title):
            missing.append(f"the title (“{_short(report.title)}”)")
        absent = [a for a in addressees if not _mentions(text, a.removeprefix("The "))]
        if absent:
            missing.append("the addressee" + ("s " if len(absent) > 1 else " ") + ", ".join(absent))
        if missing:
            findings.append(
                Finding(
                    WARNING,
                    "pdf_mismatch",
                    f"The PDF “{edition.original_name or edition.file.name}” does not mention "
                    + _join(missing)
                    + ". Check it is this report's edition, not last year's or another "
                    "country's.",
                    "PDF editions",
                    "attachments-group",
                )
            )
    return findings


def _join(parts):
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def evidence_findings(report):
    notes = {e.stage_id for e in report.stage_evidence.all() if e.note.strip()}
    return [
        Finding(
            WARNING,
            "stage_without_evidence",
            f"Stage {stage.number} ({stage.name}) is ticked with no evidence. Say in a "
            "sentence what shows it; readers see it under the stage.",
            "Evidence for each stage",
            f"id_evidence_{stage.number}",
        )
        for stage in report.stages.all()
        if stage.pk not in notes
    ]


def recommendation_findings(report):
    carried = [r for r in report.recommendations.all() if r.carried_over]
    if not carried:
        return []
    return [
        Finding(
            WARNING,
            "carried_over",
            f"{len(carried)} recommendation{'s' if len(carried) > 1 else ''} carried over from "
            "last year "
            + ("are" if len(carried) > 1 else "is")
            + " not yet reviewed: check each still stands, then untick “carried over”.",
            "Recommendations",
            "recommendations-group",
        )
    ]


def check(report):
    """Every finding about the report as it is saved, errors first."""
    findings = [
        *body_findings(report),
        *pdf_findings(report),
        *evidence_findings(report),
        *recommendation_findings(report),
    ]
    return sorted(findings, key=lambda f: not f.is_error)


def errors(report):
    return [f for f in check(report) if f.is_error]
