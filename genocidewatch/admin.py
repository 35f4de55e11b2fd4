"""Pieces the project's admin classes share."""


class ReadOnlyAdminMixin:
    """A record of what happened: readable by those the admin lets in, never added to,
    changed or deleted by hand."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
