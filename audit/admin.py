from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from genocidewatch.admin import ReadOnlyAdminMixin

from .models import AuditEvent, record


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Superusers read the log; nobody can add, change or delete a line of it."""

    list_display = ["created_at", "action", "actor_name", "object_repr", "ip_address"]
    list_filter = ["action", "created_at"]
    search_fields = ["actor_name", "object_repr", "detail", "ip_address"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)


class RoleLoggingUserAdmin(UserAdmin):
    """Django's user admin, writing an audit event whenever someone's roles change."""

    def save_model(self, request, obj, form, change):
        request._roles_before = _roles(obj.pk)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, after = request._roles_before, _roles(form.instance.pk)
        if before != after:
            record(
                AuditEvent.Action.ROLE_CHANGE,
                request=request,
                obj=form.instance,
                detail=f"{_describe(before)} → {_describe(after)}",
            )


def _roles(user_pk):
    User = get_user_model()
    user = User.objects.filter(pk=user_pk).first()
    if user is None:
        return None
    groups = sorted(user.groups.values_list("name", flat=True))
    return {"groups": groups, "staff": user.is_staff, "superuser": user.is_superuser}


def _describe(roles):
    if roles is None:
        return "new account"
    flags = [name for name in ("staff", "superuser") if roles[name]]
    return ", ".join(roles["groups"] + flags) or "no roles"


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), RoleLoggingUserAdmin)
