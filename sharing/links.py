"""Share links: plain addresses of each network's own share page.

No script, image or font of theirs is loaded: the reader's browser goes there only when the
reader clicks.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.utils.translation import gettext


@dataclass(frozen=True)
class ShareLink:
    platform: str
    label: str
    url: str  # the network's share page; its icon is templates/icons/<platform>.svg


def _query(**params):
    # %20 rather than "+" for spaces: mail clients show a "+" in a mailto: body as it is.
    return urlencode(params, quote_via=quote)


def share_links(*, url, title):
    return [
        ShareLink("x", "X", "https://x.com/intent/post?" + _query(url=url, text=title)),
        ShareLink(
            "facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + _query(u=url)
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + _query(url=url),
        ),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + _query(text=f"{title} {url}")),
        ShareLink("telegram", "Telegram", "https://t.me/share/url?" + _query(url=url, text=title)),
        ShareLink("email", gettext("Email"), "mailto:?" + _query(subject=title, body=url)),
    ]
