"""Reading an archive manifest (CSV or JSON) into entries, each with the line it starts on.

Column names are forgiving ("Old address", "old_address" and "old-address" are the same);
lists inside a CSV cell are written one item a line or separated by semicolons. Nothing
here judges the values: that is archive/importer.py's work.
"""

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

COLUMNS = {
    "title": "title",
    "country": "country",
    "year": "year",
    "level": "level",
    "alert_level": "level",
    "stages": "stages",
    "published": "published",
    "published_at": "published",
    "date": "published",
    "updated": "updated",
    "updated_at": "updated",
    "byline": "byline",
    "authors": "byline",
    "author": "byline",
    "summary": "summary",
    "body": "body",
    "text": "body",
    "recommendations": "recommendations",
    "pdfs": "pdfs",
    "pdf": "pdfs",
    "pdf_paths": "pdfs",
    "old_address": "old_address",
    "old_url": "old_address",
    "status": "status",
}
LIST_FIELDS = {"stages", "byline", "recommendations", "pdfs"}


class ManifestError(Exception):
    """The manifest as a whole cannot be read: nothing is imported."""


@dataclass
class Entry:
    line: int
    values: dict
    unknown: list


def _column(name):
    key = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
    return COLUMNS.get(key)


def _entry(line, raw):
    values, unknown = {}, []
    for name, value in raw.items():
        column = _column(name)
        if column is None:
            if name is not None and str(name).strip():
                unknown.append(str(name))
            continue
        values[column] = value
    return Entry(line, values, unknown)


def split_list(value, *, lines_only=False):
    """A list written in a CSV cell: one item a line, or separated by semicolons."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    text = str(value)
    parts = text.splitlines() if lines_only or "\n" in text else text.split(";")
    return [part.strip() for part in parts if part.strip()]


def read_csv(text):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise ManifestError("The manifest is empty: its first line must name the columns.")
    if "title" not in {_column(name) for name in reader.fieldnames}:
        raise ManifestError(
            "The first line of the manifest must name the columns (title, country, year, "
            "level, …); no “title” column was found."
        )
    entries, start = [], reader.line_num + 1
    for raw in reader:
        if any((value or "").strip() for value in raw.values() if isinstance(value, str)):
            entries.append(_entry(start, raw))
        start = reader.line_num + 1
    return entries


def read_json(text):
    """A JSON list of objects (or {"reports": [...]}), each entry with the line it starts on."""
    decoder = json.JSONDecoder()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ManifestError(
            f"The manifest is not valid JSON: {error.msg} (line {error.lineno})."
        ) from None
    # Where each entry starts: decode the list item by item.
    start = text.index("[") if isinstance(document, list) else None
    if isinstance(document, dict) and isinstance(document.get("reports"), list):
        start = text.index("[", text.index('"reports"'))
        document = document["reports"]
    if not isinstance(document, list):
        raise ManifestError('The manifest must be a JSON list of reports, or {"reports": [...]}.')
    entries, position = [], start + 1
    for item in document:
        while text[position] in " \t\r\n,":
            position += 1
        _, end = decoder.raw_decode(text, position)
        line = text.count("\n", 0, position) + 1
        if isinstance(item, dict):
            entries.append(_entry(line, item))
        else:
            entries.append(Entry(line, {}, ["(not an object)"]))
        position = end
    return entries


def read_manifest(path):
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ManifestError(f"There is no manifest at {path}.") from None
    except UnicodeDecodeError:
        raise ManifestError("The manifest is not UTF-8 text. Save it again as UTF-8.") from None
    match path.suffix.lower():
        case ".csv":
            return read_csv(text)
        case ".json":
            return read_json(text)
    raise ManifestError("The manifest must be a .csv or a .json file.")
