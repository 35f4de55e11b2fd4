"""Every file the site keeps in storage: the folder each kind lives in, how a new one is
named, and how one is sent to a reader.

Backups, the orphan commands and every model that stores a file read the folders from here;
every view that sends a stored file (PDF editions, their previews, lead images, social
cards) goes through `send`, so all of them make the same choice between a signed bucket
address, the proxy and streaming, with the same headers.
"""

import uuid
from enum import StrEnum

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import Http404
from django.shortcuts import redirect

from . import serving


class Folder(StrEnum):
    ATTACHMENTS = "attachments"  # PDF editions
    PREVIEWS = "previews"  # a picture of one page of each edition
    IMAGES = "images"  # lead images and their renditions
    CARDS = "cards"  # social cards, one per version of what they show
    # An archive an editor uploaded, kept between its dry run and the confirmed import;
    # removed by the import (an abandoned one is an orphan for `remove_orphan_files`).
    IMPORTS = "imports"
    LOGOS = "logos"  # the organisation's logo (pages.Identity)


def new_name(folder, extension, *, stem=None):
    """A stored name of ours alone: nothing an uploader sends ends up in a storage path."""
    return f"{Folder(folder)}/{stem or uuid.uuid4().hex}.{extension}"


def send(
    request,
    storage,
    name,
    *,
    public,
    last_modified,
    content_type,
    download_name,
    version,
    inline=True,
):
    """A stored file: a signed bucket address when public on object storage, handed to the
    proxy when it can read the folder, else streamed by the site. A file that is not public
    is never kept by a cache. `inline=False` asks browsers to save it rather than show it."""
    if public and settings.FILES_REDIRECT_TO_STORAGE:
        # The bucket stays private, drafts' files included; a public file is fetched from it
        # by a short-lived signed address.
        return redirect(
            storage.url(
                name,
                parameters={
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": serving.content_disposition(
                        download_name, inline=inline
                    ),
                    # The bucket's answer is kept by caches no longer than the site's own.
                    "ResponseCacheControl": serving.public_cache_control(),
                },
                expire=settings.FILES_SIGNED_URL_SECONDS,
            )
        )
    if settings.FILES_VIA_PROXY_PREFIX and isinstance(storage, FileSystemStorage):
        if not storage.exists(name):
            raise Http404("The file is missing from storage.")
        return serving.hand_to_proxy(
            name,
            prefix=settings.FILES_VIA_PROXY_PREFIX,
            content_type=content_type,
            download_name=download_name,
            inline=inline,
            last_modified=last_modified,
            private=not public,
        )
    try:
        return serving.serve_file(
            request,
            storage,
            name,
            content_type=content_type,
            download_name=download_name,
            inline=inline,
            version=version,
            last_modified=last_modified,
            private=not public,
        )
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
