from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView

from genocidewatch import storedfiles

from . import cards
from .chrome import identity as current_identity
from .models import Page
from .workflow import can_preview

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


class PageDetailView(DetailView):
    def get_queryset(self):
        return Page.objects.all() if can_preview(self.request.user) else Page.objects.public()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_public:
            # A preview must never be kept by a browser or a shared cache.
            add_never_cache_headers(response)
        return response


def _current(version, url):
    """The identity, if `version` is its current one; else a redirect to the current file
    (an email sent last year still shows today's logo) or a 404."""
    identity = current_identity()
    if version == identity.version:
        return identity, None
    if not url(identity):
        raise Http404("The site has no logo.")
    return identity, redirect(url(identity))


def logo(request, version, extension):
    identity, moved = _current(version, lambda identity: identity.logo_url())
    if moved:
        return moved
    if not identity.logo or extension != identity.logo_kind:
        raise Http404("No such logo.")
    return storedfiles.send(
        request,
        identity.logo.storage,
        identity.logo.name,
        public=True,
        last_modified=identity.updated_at,
        content_type=CONTENT_TYPES[identity.logo_kind],
        download_name=f"logo.{identity.logo_kind}",
        version=identity.version,
    )


def accent(request, version):
    """The accent colour as CSS custom properties: the site's policy forbids inline style,
    so the colour an editor picks arrives as a stylesheet of its own."""
    identity, moved = _current(version, lambda identity: identity.accent_url())
    if moved:
        return moved
    css = f":root {{ --accent: {identity.accent_colour}; --accent-ink: {identity.accent_ink}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def card(request, version):
    identity, moved = _current(version, lambda identity: identity.card_url())
    if moved:
        return moved
    return HttpResponse(cards.draw_card(identity), content_type="image/png")
