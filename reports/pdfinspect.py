"""Reads an uploaded PDF in a separate, limited process: `python -m reports.pdfinspect`.

A hostile PDF can be built to exhaust memory or loop for a long time in a parser. Reading it
here, in a child process with a memory ceiling and a deadline set by the caller, means the
worst it can do is fail this process: the web worker only sees a refusal.

Input: the PDF's path, the page to preview (1-based) and where to write the preview (WebP).
Output (stdout): one JSON object, {"error": code} or the facts about the file.
"""

import json
import re
import sys

MAX_TEXT_CHARS = 200_000
MAX_OBJECTS = 200_000
# Twice the 96 CSS pixels the report page shows it at, for sharp screens: a few kilobytes.
PREVIEW_WIDTH = 192

# Actions that make a reader run something or go somewhere on its own.
RUNNING_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/URI", "/Rendition"}
DANGEROUS_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
RAW_MARKERS = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


class Refused(Exception):
    def __init__(self, code):
        self.code = code


def scan_raw(data):
    # Names may hide behind #xx escapes (/J#61vaScript); undo them before looking.
    plain = HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    for marker in RAW_MARKERS:
        if re.search(re.escape(marker) + rb"(?![A-Za-z0-9])", plain):
            raise Refused("embedded_file" if b"Embedded" in marker else "active_content")


def check_action(action, *, opening=False):
    from pypdf.generic import DictionaryObject

    action = action.get_object() if action is not None else None
    if isinstance(action, DictionaryObject):
        kind = action.get("/S")
        if kind in RUNNING_ACTIONS and (opening or kind != "/URI"):
            raise Refused("active_content")
        if "/Next" in action:
            nxt = action["/Next"].get_object()
            for item in nxt if isinstance(nxt, list) else [nxt]:
                check_action(item, opening=opening)


def check_structure(reader):
    from pypdf.generic import DictionaryObject, IndirectObject

    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        if "/JavaScript" in names:
            raise Refused("active_content")
        if "/EmbeddedFiles" in names:
            raise Refused("embedded_file")
    if "/AA" in root:
        raise Refused("active_content")
    check_action(root.get("/OpenAction"), opening=True)

    # Every object, including those packed in object streams, is looked at once.
    seen = 0
    ids = [(num, gen) for gen, nums in reader.xref.items() for num in nums]
    ids += [(num, 0) for num in getattr(reader, "xref_objStm", {})]
    for num, gen in ids:
        seen += 1
        if seen > MAX_OBJECTS:
            raise Refused("too_complex")
        try:
            obj = reader.get_object(IndirectObject(num, gen, reader))
        except Exception:  # noqa: S112 - a broken object is unreadable, not dangerous
            continue
        if isinstance(obj, DictionaryObject):
            keys = set(obj.keys())
            if keys & DANGEROUS_KEYS or obj.get("/Type") == "/EmbeddedFile":
                raise Refused(
                    "embedded_file"
                    if obj.get("/Type") in ("/EmbeddedFile", "/Filespec") or "/EmbeddedFile" in keys
                    else "active_content"
                )
            if obj.get("/S") in ("/JavaScript", "/Launch"):
                raise Refused("active_content")
            if "/AA" in keys:
                raise Refused("active_content")


def extract_text(reader):
    parts, length = [], 0
    for page in reader.pages:
        try:
            chunk = page.extract_text() or ""
        except Exception:  # noqa: S112 - a page's unreadable text only makes it unsearchable
            continue
        parts.append(chunk)
        length += len(chunk)
        if length >= MAX_TEXT_CHARS:
            break
    # NUL is valid in PDF text but refused by PostgreSQL text columns.
    return " ".join(" ".join(parts).replace("\x00", " ").split())[:MAX_TEXT_CHARS]


def render_preview(path, page_number, out_path):
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        page = document[page_number - 1]
        width = page.get_width()
        bitmap = page.render(scale=PREVIEW_WIDTH / width if width else 1)
        image = bitmap.to_pil().convert("RGB")
        image.save(out_path, "WEBP", quality=70, method=4)
        return image.size
    finally:
        document.close()


def inspect(path, preview_page, preview_path):
    from pypdf import PdfReader

    with open(path, "rb") as handle:
        data = handle.read()
    scan_raw(data)
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise Refused("encrypted")
        page_count = len(reader.pages)
        if page_count < 1:
            raise Refused("no_pages")
        check_structure(reader)
        text = extract_text(reader)
    except Refused:
        raise
    except Exception as error:
        raise Refused("unreadable") from error
    facts = {"page_count": page_count, "text": text, "preview_page": None}
    if preview_path:
        page = min(max(preview_page, 1), page_count)
        try:
            facts["preview_size"] = render_preview(path, page, preview_path)
            facts["preview_page"] = page
        except Exception:
            facts["preview_page"] = None
    return facts


def main(argv):
    path, preview_page, preview_path = argv[1], int(argv[2]), argv[3] if len(argv) > 3 else ""
    try:
        result = inspect(path, preview_page, preview_path)
    except Refused as refusal:
        result = {"error": refusal.code}
    except MemoryError:
        result = {"error": "too_complex"}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
