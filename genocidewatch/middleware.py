"""Security headers the site sends with every response."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Tell browsers that no page here may use the camera, microphone or location."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AdminContentSecurityPolicyMiddleware:
    """The admin's own, looser Content Security Policy.

    The public site allows no inline script or style at all. The admin's rich-text editor
    declares its modules in an inline import map and Django's admin widgets set inline
    styles, so /admin/ alone also allows inline code, and still nothing from another host.
    Listed after Django's CSP middleware, so it chooses the policy before that one writes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response._csp_config = settings.ADMIN_CSP
        return response
