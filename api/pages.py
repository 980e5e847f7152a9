"""Staff pages: API clients (token shown once), webhook subscriptions, delivery logs; and the API docs page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import permissions as perms
from api import services
from api.forms import ApiClientForm, MappingForm, SubscriptionForm
from api.models import ApiClient, WebhookDelivery, WebhookSubscription


def _require_admin(request: HttpRequest) -> None:
    if not perms.can_manage_clients(request.user):
        raise PermissionDenied


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI from static files (drf-spectacular-sidecar): works offline, no inline script."""
    return render(request, "api/docs.html")


@require_GET
@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    clients = ApiClient.objects.select_related("user").order_by("revoked_at", "name")
    return render(request, "api/client_list.html", {"clients": clients})


@require_http_methods(["GET", "POST"])
@login_required
def client_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, token = services.api_client_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            # Rendered, not redirected: the token is never stored, in the session or anywhere else.
            return render(request, "api/client_detail.html", _client_context(client, token=token))
    return render(request, "api/client_form.html", {"form": form}, status=400 if form.errors else 200)


def _client_context(client: ApiClient, **extra) -> dict:
    mapping_form = MappingForm(initial={"mapping": json.dumps(client.crm_mapping, ensure_ascii=False, indent=2)})
    return {"client": client, "subscriptions": client.subscriptions.all(), "subscription_form": SubscriptionForm(),
            "mapping_form": mapping_form, **extra}


@require_GET
@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    client = get_object_or_404(ApiClient.objects.select_related("user", "created_by", "revoked_by"), pk=pk)
    return render(request, "api/client_detail.html", _client_context(client))


@require_POST
@login_required
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    client = get_object_or_404(ApiClient, pk=pk)
    services.api_client_revoke(client_id=client.pk, actor=request.user)
    messages.success(request, _("API client %(name)s revoked: its token no longer works.") % {"name": client.name})
    return redirect("api:client_detail", pk=pk)


@require_POST
@login_required
def client_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    client = get_object_or_404(ApiClient.objects.select_related("user"), pk=pk)
    form = MappingForm(request.POST)
    if form.is_valid():
        try:
            services.api_client_set_mapping(client_id=client.pk, mapping=form.cleaned_data["parsed"], actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("mapping", message)
        else:
            messages.success(request, _("CRM mapping saved."))
            return redirect("api:client_detail", pk=pk)
    return render(request, "api/client_detail.html", {**_client_context(client), "mapping_form": form}, status=400)


@require_POST
@login_required
def subscription_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    client = get_object_or_404(ApiClient.objects.select_related("user"), pk=pk)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        try:
            subscription = services.subscription_create(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return render(request, "api/subscription_detail.html", _subscription_context(subscription, created=True))
    return render(request, "api/client_detail.html", {**_client_context(client), "subscription_form": form}, status=400)


def _subscription_context(subscription: WebhookSubscription, **extra) -> dict:
    deliveries = subscription.deliveries.select_related("event").order_by("-created_at", "-pk")[:100]
    return {"subscription": subscription, "deliveries": deliveries, **extra}


@require_GET
@login_required
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    subscription = get_object_or_404(WebhookSubscription.objects.select_related("client"), pk=pk)
    return render(request, "api/subscription_detail.html", _subscription_context(subscription))


@require_POST
@login_required
def delivery_replay(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        services.delivery_replay(delivery_id=delivery.pk, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Delivery queued again."))
    return redirect("api:subscription_detail", pk=delivery.subscription_id)
