"""``Authorization: Bearer <token>`` for API clients; scope checks; a rate limit per client."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling

from api import tokens
from api.models import ApiClient, Scope

# last_used_at is written at most this often per client, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """The request acts as the client's user; ``request.api_client`` names the client.

    The client is also put on the underlying Django request, where the history receiver
    (``api.receivers``) finds it to attribute every write to the client.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, token = header.partition(" ")
        if keyword != self.keyword:
            return None
        token = token.strip()
        if not token or " " in token:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        client = self._client_for(token)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        user = client.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("The user this client acts as is inactive."))
        now = timezone.now()
        if client.last_used_at is None or client.last_used_at < now - LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        request._request.api_client = client
        request.api_client = client
        return user, client

    def _client_for(self, token: str) -> ApiClient | None:
        candidates = ApiClient.objects.select_related("user").filter(
            token_prefix=token[: tokens.PREFIX_LENGTH], revoked_at__isnull=True
        )
        for client in candidates:
            if tokens.token_matches(token, client.token_hash):
                return client
        return None

    def authenticate_header(self, request) -> str:
        return self.keyword


class HasScope(permissions.BasePermission):
    """The view's ``required_scope(request)`` (or ``scope`` attribute) must be among the client's scopes."""

    message = _("This API client does not have the scope this request needs.")

    def has_permission(self, request, view) -> bool:
        client = getattr(request, "api_client", None)
        if client is None:
            return False
        needed = view.required_scope(request) if hasattr(view, "required_scope") else getattr(view, "scope", Scope.READ)
        return client.has_scope(needed)


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """Requests per client (``API_RATE_LIMIT``, e.g. ``600/min``), counted in the default cache."""

    scope = "api_client"

    def get_rate(self) -> str | None:
        return settings.API_RATE_LIMIT or None

    def get_cache_key(self, request, view) -> str | None:
        client = getattr(request, "api_client", None)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
