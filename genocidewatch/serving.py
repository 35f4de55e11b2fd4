"""Sending stored files to readers: streamed, resumable, cacheable, and inert in the browser.

Honours Range (one range; 206 with Content-Range, 416 when unsatisfiable) and conditional
requests (ETag, Last-Modified, 304). The file is read in chunks, never whole, so a worker's
memory stays flat whatever the file's size.
"""

import re
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag

CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# A stored file is shown, never run: no scripts, no plugins, no same-origin rights.
FILE_CSP = "default-src 'none'; sandbox"


def public_cache_control(*, browser_seconds=0):
    """Who may keep a public response, and for how long: shared caches (the shipped proxy, a
    CDN) for `SHARED_CACHE_MAX_AGE` seconds at most, browsers for `browser_seconds`; both
    then ask again (a 304 when unchanged). A retracted report therefore leaves every shared
    cache within that bound; see "Caching" in the README."""
    return (
        f"public, max-age={browser_seconds}, s-maxage={settings.SHARED_CACHE_MAX_AGE}, "
        "must-revalidate"
    )


def content_disposition(name, *, inline=True):
    """A header naming the file: an ASCII fallback, and the real name as RFC 6266 filename*."""
    name = name.replace("/", "_").replace("\\", "_")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = re.sub(r'["\\;]', "_", fallback).strip() or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _stream(handle, start, length):
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _not_modified(request, etag, last_modified):
    match = request.headers.get("If-None-Match")
    if match is not None:
        return etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(last_modified.timestamp()) <= since


def parse_range(header, size):
    """(start, end) for a single satisfiable byte range; None for no range; False if bad."""
    found = RANGE.match(header.strip())
    if not found:
        return None  # not a form we answer with a part: send the whole file
    first, last = found.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return False
    return start, end


def _file_headers(response, *, etag, last_modified, private):
    if etag:
        response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    if private:
        add_never_cache_headers(response)
    else:
        # Kept no longer than a page: a retracted report's PDF, preview, image or card must
        # go from shared caches as quickly as its page, and browsers ask again each time.
        response["Cache-Control"] = public_cache_control()
    return response


def hand_to_proxy(
    name, *, prefix, content_type, download_name, last_modified, private, inline=True
):
    """Let the reverse proxy send the file (X-Accel-Redirect) once the site has said who may
    have it. The proxy answers Range and conditional requests itself, and a slow reader
    then holds a cheap proxy connection instead of an application worker."""
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = prefix + quote(name)
    response["Content-Disposition"] = content_disposition(download_name, inline=inline)
    return _file_headers(response, etag=None, last_modified=last_modified, private=private)


def serve_file(
    request,
    storage,
    name,
    *,
    content_type,
    download_name,
    version,
    last_modified,
    private,
    inline=True,
):
    """Answer for a stored file; `version` identifies its bytes (e.g. its SHA-256)."""
    etag = quote_etag(version)
    size = storage.size(name)

    def headers(response):
        return _file_headers(response, etag=etag, last_modified=last_modified, private=private)

    if request.method in ("GET", "HEAD") and _not_modified(request, etag, last_modified):
        return headers(HttpResponseNotModified())

    byte_range = None
    if "Range" in request.headers:
        if_range = request.headers.get("If-Range")
        if if_range is None or if_range.strip() in (etag, http_date(last_modified.timestamp())):
            byte_range = parse_range(request.headers["Range"], size)
    if byte_range is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return headers(response)

    start, end = byte_range if byte_range else (0, size - 1)
    length = end - start + 1 if size else 0
    handle = storage.open(name, "rb")
    response = StreamingHttpResponse(
        _stream(handle, start, length) if request.method != "HEAD" else iter(()),
        status=206 if byte_range else 200,
        content_type=content_type,
    )
    if request.method == "HEAD":
        handle.close()
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = content_disposition(download_name, inline=inline)
    return headers(response)
