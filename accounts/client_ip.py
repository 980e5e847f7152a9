"""The client's address, as login throttling and the sign-in security log record it.

Behind the TLS proxy the README prescribes, REMOTE_ADDR is the proxy's address for everyone.
Each proxy appends the address it received the request from to X-Forwarded-For, so with N
trusted proxies the client's address is the N-th entry from the right: entries further left
were written by the client and prove nothing. A request that does not come from a trusted
proxy (TRUSTED_PROXIES, when set) is taken at its REMOTE_ADDR and its header ignored.

Not django-ipware: it picks the first "public" address of several headers (left-most by
default), which lets a client name its own address, and never looks at who sent the request.
"""

from __future__ import annotations

import logging
from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request`` (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count or remote is None:
        return remote
    if settings.TRUSTED_PROXIES and not _is_trusted_proxy(remote):
        return remote  # a direct request: whatever it says it forwarded is the client's own text
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer hops than proxies: a request from inside the proxy chain (a health check), or a
        # proxy that does not append. Nothing in the header can be trusted.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ip_address(candidate))
    except ValueError:
        logger.warning("X-Forwarded-For entry %r from proxy %s is not an address; using the proxy's", candidate, remote)
        return remote


def _is_trusted_proxy(address: str) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in settings.TRUSTED_PROXIES)
