from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.client_ip import client_ip
from accounts.models import Notification, SecurityEvent, User

# Factors are changed only through the services, so that every change is in the security log
# (django-otp's own admin pages would also show the secrets).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Preferences"), {"fields": ("language", "email_notifications")}))
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    list_filter = ("groups", "is_active", "is_staff")
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor sign-in (lost phone)"))
    def reset_two_factor(self, request, queryset):
        if not services.can_reset_two_factor(request.user):
            raise PermissionDenied
        users = list(queryset)
        for user in users:
            services.two_factor_reset(user=user, actor=request.user, ip_address=client_ip(request))
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in was reset for %(count)d user; they set it up again at their next sign-in.",
                "Two-factor sign-in was reset for %(count)d users; they set it up again at their next sign-in.",
                len(users),
            ) % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "verb", "created_at", "read_at")
    list_select_related = ("recipient",)
    # The code is written by the services that send it; editing it by hand would only break the text.
    readonly_fields = ("message",)


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The sign-in security log: read only."""

    list_display = ("created_at", "user", "kind", "actor", "ip_address")
    list_filter = ("kind",)
    list_select_related = ("user", "actor")
    search_fields = ("user__username", "actor__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
