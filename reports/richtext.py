"""The rich text that staff may write, and the one sanitiser that enforces it.

The editor is configured from EDITOR_EXTENSIONS so that it only offers what the allow-list
keeps; the allow-list is applied when a report is saved and again when it is rendered, so
HTML that reached the database another way (a fixture, the shell, an old row) is still safe.
"""

import nh3

EDITOR_EXTENSIONS = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    # Not autolinking: a link then ends where the editor selected, and a full stop typed
    # after it is not drawn into it (Tiptap makes autolinking links "inclusive").
    "Link": {"enableTarget": False, "autolink": False, "protocols": ["http", "https", "mailto"]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
}

# The elements a report's body may contain; the archive importer names what else it drops.
ALLOWED_TAGS = frozenset(
    {"p", "br", "hr", "h2", "h3", "h4", "strong", "em", "a", "ul", "ol", "li", "blockquote"}
)

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    # Readers may be at risk: links out tell the next site nothing about where they came from.
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(html):
    """Return `html` with everything outside the allow-list removed."""
    cleaned = _cleaner.clean(html or "").strip()
    # The editor saves an empty document as one empty paragraph: that is no text at all.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned
