import re
from functools import lru_cache
from html import unescape
from urllib.parse import urljoin

from django import template
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext

from ..richtext import sanitize_html

register = template.Library()


@register.filter
def rich_text(html):
    """Staff-written HTML, sanitised again on the way out."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - the allow-list has just been applied


# The sanitiser writes every attribute as name="value" with quotes escaped inside, so an
# opening <a> tag of its output is matched whole by this pattern, whatever its values hold.
_OPENING_LINK = re.compile(r'<a((?:\s+[\w:-]+="[^"]*")*)\s*>')
_HREF = re.compile(r'\shref="([^"]*)"')


@register.filter
def with_addresses(html, page_url):
    """Sanitised HTML whose links carry their full address in `data-address`, which the
    print style sheet writes out after each link: a relative href means nothing on paper."""

    def add_address(match):
        href = _HREF.search(match.group(1))
        if href is None or href.group(1).startswith("#"):
            return match.group(0)
        address = urljoin(page_url, unescape(href.group(1)))
        return f'<a{match.group(1)} data-address="{escape(address)}">'

    return mark_safe(_OPENING_LINK.sub(add_address, html))  # noqa: S308 - only escaped text added


@register.filter
def absolute(path, page_url):
    """`path` as a full address, resolved against the page's own (absolute) address."""
    return urljoin(page_url, str(path))


@register.filter
def file_size(num_bytes):
    """A size as readers expect it on a download link: “57 KB”, “1.2 MB”."""
    if num_bytes is None:
        return ""
    return _file_size(num_bytes, get_language())


@lru_cache(maxsize=4096)
def _file_size(num_bytes, reader_language):
    # Remembered by size and language: the number's format costs more than the rest of a
    # download link.
    if num_bytes < 1000:
        return ngettext("%(count)s byte", "%(count)s bytes", num_bytes) % {"count": num_bytes}
    if num_bytes < 1000 * 1000:
        return gettext("%(size)s KB") % {"size": round(num_bytes / 1000)}
    return gettext("%(size)s MB") % {"size": number_format(num_bytes / 1000 / 1000, 1)}


@register.simple_tag
def download_label(attachment):
    """What a PDF edition's download link says: “Download PDF · 12 pages · 1.2 MB”. Here
    rather than a `{% blocktranslate count %}`, which costs a report page with a dozen
    editions more than the rest of their links."""
    pages = attachment.page_count
    return ngettext(
        "Download PDF · %(pages)s page · %(size)s",
        "Download PDF · %(pages)s pages · %(size)s",
        pages,
    ) % {"pages": pages, "size": file_size(attachment.size)}


def joined(items):
    """Items as a sentence lists them in the page's language: “A, B and C”."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    separator = pgettext("list separator", ", ")
    first = separator.join(items[:-1])
    if len(items) == 2:
        return gettext("%(first)s and %(last)s") % {"first": first, "last": items[-1]}
    return gettext("%(first)s, and %(last)s") % {"first": first, "last": items[-1]}


@register.filter
def stage_list(stages):
    """“Stage 5: Organization, Stage 6: Polarization and Stage 8: Persecution”, each a link
    to the stage's page."""
    links = [
        format_html(
            '<a href="{}">{}</a>',
            stage.get_absolute_url(),
            gettext("Stage %(number)s: %(name)s")
            % {"number": stage.number, "name": stage.local_name},
        )
        for stage in stages
    ]
    return mark_safe(joined(links))  # noqa: S308 - each part escaped by format_html


@register.filter
def author_list(authors):
    """“<span class="author">A</span>, <span class="author">B</span> and …”."""
    names = [format_html('<span class="author">{}</span>', a.name) for a in authors]
    return mark_safe(joined(names))  # noqa: S308 - each part escaped by format_html


@register.simple_tag
def stage_bar(all_stages, found, *, label, id):
    """The ten-step bar: every stage, in order, whether `found` includes it, its name as a
    tooltip and the sentence a screen reader hears.

    The bar depends only on the words and addresses below, so each different bar is drawn
    once per process and language: a report page would otherwise spend more on these ten
    steps than on the rest of its text. A renamed stage is a different key, never a stale
    bar."""
    stages = tuple((s.number, s.local_name, s.get_absolute_url()) for s in all_stages)
    found_numbers = frozenset(stage.number for stage in found)
    return _drawn_stage_bar(get_language(), stages, found_numbers, label, id)


@lru_cache(maxsize=2048)
def _drawn_stage_bar(language, stages, found_numbers, label, id):
    # The words are put together here rather than with ten times three {% blocktranslate %}.
    named = gettext("Stage %(number)s: %(name)s")
    named_found = gettext("Stage %(number)s: %(name)s, found")
    named_not_found = gettext("Stage %(number)s: %(name)s, not found")
    steps = []
    for number, name, url in stages:
        words = {"number": number, "name": name}
        is_found = number in found_numbers
        heard = (named_found if is_found else named_not_found) % words
        steps.append((number, url, is_found, named % words, heard))
    context = {"steps": steps, "label": label, "id": id}
    return render_to_string("includes/stage_bar.html", context)
