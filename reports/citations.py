"""How researchers cite a report: a formatted reference and BibTeX, RIS and CSL-JSON files.

The access date is left to the reader, who knows when they read it.
"""

import json
import re
import unicodedata

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.formats import date_format
from django.utils.translation import gettext

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


def split_name(name):
    """("Esme Matthews") → ("Matthews", "Esme"): the last word is taken as the family name."""
    parts = name.split()
    if len(parts) < 2:
        return name, ""
    return parts[-1], " ".join(parts[:-1])


def _updated(report):
    """ "Updated 30 November 2026: <note>" when changes were published since, else ""."""
    correction = report.last_correction
    if correction is None:
        return ""
    updated = gettext("Updated %(date)s") % {"date": date_format(correction.made_at, "DATE_FORMAT")}
    if correction.note:
        return gettext("%(updated)s: %(note)s") % {"updated": updated, "note": correction.note}
    return updated


def evidence_notes(report):
    """["Why stage 8 (Persecution): … Source: https://…"] for each stage with evidence."""
    notes = []
    for stage, why in report.stages_with_evidence:
        if not why:
            continue
        why_stage = gettext("Why stage %(number)s (%(name)s):")
        note = f"{why_stage % {'number': stage.number, 'name': stage.local_name}} {why.note}"
        if why.source:
            note += " " + gettext("Source: %(url)s") % {"url": why.source}
        notes.append(note)
    return notes


def reference(report, url):
    """“Matthews, E. (2023). Mali Country Report 2023. Genocide Watch. https://…”"""
    names = []
    for author in report.authors:
        family, given = split_name(author.name)
        initials = " ".join(f"{part[0]}." for part in given.split())
        names.append(f"{family}, {initials}" if initials else family)
    if len(names) > 1:
        names = [", ".join(names[:-1]) + ", & " + names[-1]]
    who = names[0] if names else settings.SITE_NAME
    year = report.published_at.year if report.published_at else report.year
    updated = report.last_correction
    when = (
        gettext("%(year)s, updated %(updated)s") % {"year": year, "updated": updated.made_at.year}
        if updated
        else f"{year}"
    )
    return f"{who} ({when}). {report.title}. {settings.SITE_NAME}. {url}"


def _bibtex_escape(text):
    return re.sub(r"([{}\\&%$#_])", r"\\\1", text)


def citation_key(report):
    first = report.authors[0].name if report.authors else settings.SITE_NAME
    family = split_name(first)[0]
    ascii_family = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    year = report.published_at.year if report.published_at else report.year
    return (
        re.sub(r"\W", "", ascii_family.lower())
        + str(year)
        + re.sub(r"\W", "", report.slug.split("-")[0])
    )


def bibtex(report, url):
    authors = " and ".join(
        "{}, {}".format(*split_name(a.name)) if split_name(a.name)[1] else a.name
        for a in report.authors
    )
    date = report.published_at
    fields = [
        ("title", report.title),
        ("author", authors or settings.SITE_NAME),
        ("institution", settings.SITE_NAME),
        ("type", report.headline),
        ("year", str(date.year if date else report.year)),
        ("month", date.strftime("%b").lower() if date else ""),
        ("url", url),
        # biblatex's language names: "english", "french", "arabic".
        ("language", LANG_INFO.get(report.language, {}).get("name", report.language).lower()),
        ("note", "; ".join(filter(None, [report.get_alert_level_display(), _updated(report)]))),
    ]
    body = ",\n".join(
        f"  {name} = {{{_bibtex_escape(value)}}}" if name != "month" else f"  month = {value}"
        for name, value in fields
        if value
    )
    return f"@techreport{{{citation_key(report)},\n{body}\n}}\n"


def ris(report, url):
    # M3, "type of work": what kind of report this is, as reference managers file it.
    lines = ["TY  - RPRT", f"TI  - {report.title}", f"M3  - {report.kind}"]
    lines += [f"AU  - {'{}, {}'.format(*split_name(a.name)).rstrip(', ')}" for a in report.authors]
    date = report.published_at
    lines += [
        f"PY  - {date.year if date else report.year}",
        f"DA  - {date:%Y/%m/%d}" if date else "",
        f"PB  - {settings.SITE_NAME}",
        f"AB  - {report.summary}",
        f"UR  - {url}",
        f"LA  - {report.language}",
        f"KW  - {report.country.name}",
        f"KW  - {report.get_alert_level_display()}",
        f"N1  - {_updated(report)}" if _updated(report) else "",
        *(f"N1  - {note}" for note in evidence_notes(report)),
        "ER  - ",
    ]
    return "\r\n".join(line for line in lines if line) + "\r\n"


def csl_json(report, url):
    date = report.published_at
    item = {
        "id": citation_key(report),
        "type": "report",
        "title": report.title,
        "genre": report.headline,
        "author": [
            {"family": split_name(a.name)[0], "given": split_name(a.name)[1]}
            if split_name(a.name)[1]
            else {"literal": a.name}
            for a in report.authors
        ],
        "publisher": settings.SITE_NAME,
        "issued": {"date-parts": [[date.year, date.month, date.day] if date else [report.year]]},
        "abstract": report.summary,
        "URL": url,
        "language": report.language,
    }
    notes = [_updated(report), *evidence_notes(report)]
    if any(notes):
        item["note"] = "\n".join(note for note in notes if note)
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"bib": bibtex, "ris": ris, "json": csl_json}
