"""The REST API (``/api/v1/``). Thin: load with the screens' permission functions, one service call, respond.

Authorisation mirrors the screens exactly: where a screen answers 404 to an outsider, so does
the API; where it answers 403 to a wrong role, so does the API (tests/api/test_matrix.py runs
both side by side). Writes go through the same services, so the same rules and messages hold.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api import drafts, idempotency, mapping
from api import serializers as s
from api.filters import ApplicationFilter, CustomerFilter
from api.models import Scope
from api.pagination import IdCursorPagination
from approvals import permissions as approvals_perms
from approvals import selectors as approvals_selectors
from monitoring import permissions as monitoring_perms
from monitoring import selectors as monitoring_selectors
from monitoring import services as monitoring_services
from monitoring.forms import AlertFilterForm
from monitoring.models import Alert
from onboarding import permissions as onboarding_perms
from onboarding import selectors as onboarding_selectors
from onboarding import services as onboarding_services
from onboarding.forms import DocumentReplaceForm, DocumentUploadForm, document_type_for_customer
from onboarding.models import Application, Customer, Document, DocumentType
from screening import permissions as screening_perms
from screening.models import Evaluation
from screening.selectors import latest_evaluation
from watchlists import permissions as watchlists_perms
from watchlists.matching import search
from watchlists.models import ScreeningHit

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _refuse(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise exceptions.PermissionDenied(message)


class ApiView(GenericAPIView):
    """Reads need ``read``; a view's writes need its ``write_scope``."""

    write_scope = Scope.APPLICATIONS_WRITE

    def required_scope(self, request) -> str:
        return self.write_scope if request.method in WRITE_METHODS else Scope.READ


# --- Applications ---------------------------------------------------------------------------


def _application_for(request, pk: int, queryset=None) -> Application:
    """As onboarding.views._get_application: outsiders get a 404, not a hint that it exists."""
    application = get_object_or_404(queryset if queryset is not None else Application.objects.all(), pk=pk)
    if not onboarding_perms.can_view(request.user, application):
        raise Http404
    return application


def _detail_queryset():
    return onboarding_selectors.application_page_queryset().prefetch_related(
        "financials", "contacts", "documents__document_type", "state_changes__actor",
    )


def _application_body(request, pk: int) -> dict:
    application = get_object_or_404(_detail_queryset(), pk=pk)
    return s.ApplicationSerializer(application, context={"request": request}).data


def _draft_save(request, application: Application | None, body=None) -> Response:
    body = request.data if body is None else body
    problems = drafts.body_problems(body)
    if problems:
        return Response({"detail": _("Please correct the errors below."), "errors": problems},
                        status=status.HTTP_400_BAD_REQUEST)
    bound = drafts.bind(application, body)
    if not bound.is_valid():
        return Response({"detail": _("Please correct the errors below."), "errors": bound.errors()},
                        status=status.HTTP_400_BAD_REQUEST)
    try:
        with transaction.atomic():
            saved = onboarding_services.application_save(
                application=application, form=bound.form, financials=bound.financials, contacts=bound.contacts,
                actor=request.user,
            )
    except DjangoPermissionDenied as denied:
        raise exceptions.PermissionDenied(str(denied) or None) from None
    return Response(_application_body(request, saved.pk),
                    status=status.HTTP_201_CREATED if application is None else status.HTTP_200_OK)


class ApplicationListView(ApiView):
    """Applications the caller may see (a sales person: their own), newest first, by cursor."""

    serializer_class = s.ApplicationSummarySerializer
    pagination_class = IdCursorPagination
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return onboarding_selectors.applications_visible_to(self.request.user)

    @extend_schema(operation_id="applications_list")
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(operation_id="applications_create", request=s.ApplicationInputSerializer,
                   responses={201: s.ApplicationSerializer, 400: OpenApiResponse(description="Validation errors"),
                              403: OpenApiResponse(description="Only sales staff can create applications")},
                   parameters=[idempotency.HEADER])
    def post(self, request):
        _refuse(onboarding_perms.can_create(request.user), _("Only sales staff can create applications."))
        return idempotency.once(request, lambda: _draft_save(request, None))


class ApplicationDetailView(ApiView):
    serializer_class = s.ApplicationSerializer

    @extend_schema(operation_id="applications_read")
    def get(self, request, pk: int):
        application = _application_for(request, pk, _detail_queryset())
        return Response(self.get_serializer(application).data)

    @extend_schema(operation_id="applications_update", request=s.ApplicationInputSerializer,
                   responses={200: s.ApplicationSerializer, 400: OpenApiResponse(description="Validation errors")})
    def patch(self, request, pk: int):
        application = _application_for(request, pk)
        _refuse(onboarding_perms.can_edit(request.user, application), _("This application can no longer be edited."))
        return _draft_save(request, application)


class ApplicationTransitionView(ApiView):
    """Take one transition with ``onboarding.services.application_transition``: same guards, same messages.

    409 when the application is no longer in ``expected_state`` (someone else acted), 400 for
    any other refusal (not possible in this state, not allowed, a guard, a missing reason).
    """

    write_scope = Scope.TRANSITIONS
    serializer_class = s.TransitionInputSerializer

    @extend_schema(operation_id="applications_transition", request=s.TransitionInputSerializer,
                   responses={200: s.TransitionResultSerializer, 400: s.RefusalSerializer, 409: s.RefusalSerializer},
                   parameters=[idempotency.HEADER])
    def post(self, request, pk: int):
        application = _application_for(request, pk)
        return idempotency.once(request, lambda: self._take(request, application))

    def _take(self, request, application: Application) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            onboarding_services.application_transition(
                application_id=application.pk, transition=data["transition"], actor=request.user,
                reason=data["reason"], expected_state=data["expected_state"],
            )
        except onboarding_services.TransitionRefused as refused:
            now = Application.objects.filter(pk=application.pk).values_list("state", flat=True).first()
            lost_race = now != data["expected_state"]
            return Response(
                {"detail": " ".join(refused.messages), "messages": refused.messages, "state": now},
                status=status.HTTP_409_CONFLICT if lost_race else status.HTTP_400_BAD_REQUEST,
            )
        return Response({
            "message": onboarding_services.TRANSITION_DONE_MESSAGES[data["transition"]](),
            "application": _application_body(request, application.pk),
        })


def _upload_response(request, store) -> Response:
    try:
        document = store()
    except ValidationError as error:
        return Response({"detail": " ".join(error.messages), "errors": {"file": error.messages}},
                        status=status.HTTP_400_BAD_REQUEST)
    except DjangoPermissionDenied as denied:
        raise exceptions.PermissionDenied(str(denied) or None) from None
    return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentUploadView(ApiView):
    """Upload one file (multipart: ``document_type`` code and ``file``), checked as on the screen."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = s.DocumentUploadInputSerializer

    @extend_schema(operation_id="applications_documents_upload", request={"multipart/form-data": s.DocumentUploadInputSerializer},
                   responses={201: s.DocumentSerializer, 400: OpenApiResponse(description="Refused file")})
    def post(self, request, pk: int):
        application = _application_for(request, pk)
        _refuse(onboarding_perms.can_edit(request.user, application),
                _("You cannot add documents to this application now."))
        _unknown(request, {"document_type", "file"})
        code = request.data.get("document_type", "")
        type_pk = DocumentType.objects.filter(code=code).values_list("pk", flat=True).first()
        form = DocumentUploadForm({"document_type": type_pk or f"unknown:{code}"}, {"files": request.FILES.get("file")})
        document_type_for_customer(form, application.customer_type)
        if not form.is_valid():
            return Response({"detail": _("Please correct the errors below."), "errors": _rename(form.errors, files="file")},
                            status=status.HTTP_400_BAD_REQUEST)
        return _upload_response(request, lambda: onboarding_services.document_upload(
            application=application, document_type=form.cleaned_data["document_type"],
            upload=form.cleaned_data["files"][0], actor=request.user,
        ))


class DocumentReplaceView(ApiView):
    """A new version of a document; the old one stays visible."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = s.DocumentReplaceInputSerializer

    @extend_schema(operation_id="documents_replace", request={"multipart/form-data": s.DocumentReplaceInputSerializer},
                   responses={201: s.DocumentSerializer, 400: OpenApiResponse(description="Refused file")})
    def post(self, request, pk: int):
        document = get_object_or_404(Document.objects.select_related("application", "document_type"), pk=pk)
        if not onboarding_perms.can_view(request.user, document.application):
            raise Http404
        _unknown(request, {"file"})
        form = DocumentReplaceForm({}, {"file": request.FILES.get("file")})
        if not form.is_valid():
            return Response({"detail": _("Choose a file to upload."), "errors": dict(form.errors)},
                            status=status.HTTP_400_BAD_REQUEST)
        return _upload_response(request, lambda: onboarding_services.document_upload(
            application=document.application, document_type=document.document_type, upload=form.cleaned_data["file"],
            actor=request.user, replaces=document,
        ))


def _unknown(request, allowed: set[str]) -> None:
    unknown = sorted((set(request.data) | set(request.FILES)) - allowed)
    if unknown:
        raise exceptions.ValidationError({name: [_("Unknown field.")] for name in unknown})


def _rename(errors, **names) -> dict:
    return {names.get(key, key): list(value) for key, value in errors.items()}


class ApplicationEvaluationsView(ApiView):
    """The scorecard evaluations of an application (the score breakdown's permission)."""

    serializer_class = s.EvaluationSerializer

    @extend_schema(operation_id="applications_evaluations")
    def get(self, request, pk: int):
        application = _application_for(request, pk)
        _refuse(screening_perms.can_view_breakdown(request.user, application))
        evaluations = Evaluation.objects.filter(application=application).order_by("-created_at", "-pk")[:50]
        return Response(self.get_serializer(evaluations, many=True).data)


class ApplicationHitsView(ApiView):
    """Watchlist hits of an application: staff only, as on the application page (not its sales owner)."""

    serializer_class = s.HitSerializer

    @extend_schema(operation_id="applications_hits")
    def get(self, request, pk: int):
        application = _application_for(request, pk)
        _refuse(watchlists_perms.can_view_hits(request.user, application))
        hits = ScreeningHit.objects.filter(application=application).select_related("source").order_by("-score", "pk")
        return Response(self.get_serializer(hits, many=True).data)


# --- Customers ------------------------------------------------------------------------------


def _customer_for(request, pk: int) -> Customer:
    """As approvals.views._get_customer: another sales person's customer is a 404, a wrong role a 403."""
    customer = get_object_or_404(Customer.objects.select_related("sales_owner", "industry"), pk=pk)
    if not approvals_perms.can_view_customer(request.user, customer):
        if approvals_perms.can_list_customers(request.user):
            raise Http404
        raise exceptions.PermissionDenied()
    return customer


class CustomerListView(ApiView):
    serializer_class = s.CustomerSummarySerializer
    pagination_class = IdCursorPagination
    filterset_class = CustomerFilter

    def get_queryset(self):
        return approvals_selectors.customers_visible_to(self.request.user)

    @extend_schema(operation_id="customers_list")
    def get(self, request):
        _refuse(approvals_perms.can_list_customers(request.user))
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CustomerDetailView(ApiView):
    serializer_class = s.CustomerSerializer

    @extend_schema(operation_id="customers_read")
    def get(self, request, pk: int):
        customer = _customer_for(request, pk)
        customer = Customer.objects.prefetch_related("conditions").get(pk=customer.pk)
        context = {"request": request, "latest_evaluation": latest_evaluation(customer=customer)}
        return Response(s.CustomerSerializer(customer, context=context).data)


class CustomerEvaluationsView(ApiView):
    serializer_class = s.EvaluationSerializer

    @extend_schema(operation_id="customers_evaluations")
    def get(self, request, pk: int):
        customer = _customer_for(request, pk)
        return Response(self.get_serializer(approvals_selectors.customer_evaluations(customer), many=True).data)


class CustomerHitsView(ApiView):
    """Watchlist hits of a customer (monitoring rescreens): staff who may see the customer."""

    serializer_class = s.HitSerializer

    @extend_schema(operation_id="customers_hits")
    def get(self, request, pk: int):
        customer = _customer_for(request, pk)
        _refuse(request.user.has_role(*onboarding_perms.STAFF_ROLES))
        hits = ScreeningHit.objects.filter(customer=customer).select_related("source").order_by("-score", "pk")
        return Response(self.get_serializer(hits, many=True).data)


# --- Alerts ---------------------------------------------------------------------------------


class AlertListView(ApiView):
    serializer_class = s.AlertSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        """The alert list screen's own filter form (monitoring.forms.AlertFilterForm); a bad value is a 400."""
        params = self.request.query_params
        form = AlertFilterForm({k: params.get(k, "") for k in ("severity", "status", "indicator", "tier")})
        customer = params.get("customer", "")
        errors = dict(form.errors) if not form.is_valid() else {}
        if customer and not (customer.isdigit() and int(customer) < 2**63):
            errors["customer"] = [_("Enter a whole number.")]
        if errors:
            raise exceptions.ValidationError({name: list(messages) for name, messages in errors.items()})
        return monitoring_selectors.alerts_filtered(
            **form.filters(), customer_id=int(customer) if customer else None,
        ).select_related("customer", "assignee")

    @extend_schema(operation_id="alerts_list", parameters=[
        OpenApiParameter("status", str, description="open, acknowledged, resolved, escalated or active"),
        OpenApiParameter("severity", str), OpenApiParameter("indicator", str), OpenApiParameter("tier", str),
        OpenApiParameter("customer", int),
    ])
    def get(self, request):
        _refuse(monitoring_perms.can_view(request.user))
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _alert_for(pk: int) -> Alert:
    alert = monitoring_selectors.alert_for_page(pk)
    if alert is None:
        raise Http404
    return alert


class AlertDetailView(ApiView):
    serializer_class = s.AlertSerializer

    @extend_schema(operation_id="alerts_read")
    def get(self, request, pk: int):
        _refuse(monitoring_perms.can_view(request.user))
        return Response(self.get_serializer(_alert_for(pk)).data)


class AlertActionView(ApiView):
    """Acknowledge or resolve through monitoring's services (risk managers)."""

    write_scope = Scope.TRANSITIONS
    action = ""

    def post(self, request, pk: int):
        _refuse(monitoring_perms.can_act(request.user))
        get_object_or_404(Alert, pk=pk)
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            self.act(request, pk, form.validated_data)
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages), "messages": error.messages},
                            status=status.HTTP_409_CONFLICT)
        except DjangoPermissionDenied as denied:
            raise exceptions.PermissionDenied(str(denied) or None) from None
        return Response(s.AlertSerializer(_alert_for(pk)).data)


class AlertAcknowledgeView(AlertActionView):
    serializer_class = s.AlertAcknowledgeInputSerializer

    @extend_schema(operation_id="alerts_acknowledge", responses={200: s.AlertSerializer, 409: s.RefusalSerializer})
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, pk: int, data: dict) -> None:
        assignee = None
        if data.get("assignee"):
            from accounts.models import User

            assignee = User.objects.filter(pk=data["assignee"]).first()
            if assignee is None:
                raise ValidationError(_("Assign the alert to an active risk manager."))
        monitoring_services.alert_acknowledge(alert_id=pk, actor=request.user, assignee=assignee)


class AlertResolveView(AlertActionView):
    serializer_class = s.AlertResolveInputSerializer

    @extend_schema(operation_id="alerts_resolve", responses={200: s.AlertSerializer, 409: s.RefusalSerializer})
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, pk: int, data: dict) -> None:
        monitoring_services.alert_resolve(alert_id=pk, actor=request.user, note=data["note"])


# --- CRM records -----------------------------------------------------------------------------


class CrmApplicationView(ApiView):
    """A CRM account record posted as it is → a draft, through the client's CRM mapping (``api.mapping``).

    The mapped body goes through the same forms and service as ``POST /api/v1/applications/``.
    """

    serializer_class = s.ApplicationSerializer

    @extend_schema(operation_id="crm_applications_create", request={"application/json": OpenApiTypes.OBJECT},
                   responses={201: s.ApplicationSerializer, 400: OpenApiResponse(description="Validation errors")},
                   parameters=[idempotency.HEADER])
    def post(self, request):
        _refuse(onboarding_perms.can_create(request.user), _("Only sales staff can create applications."))
        if not request.api_client.crm_mapping:
            return Response({"detail": _("This API client has no CRM mapping.")}, status=status.HTTP_400_BAD_REQUEST)
        body = mapping.apply(request.api_client.crm_mapping, request.data)
        return idempotency.once(request, lambda: _draft_save(request, None, body))


# --- Screening ------------------------------------------------------------------------------


class ScreenView(ApiView):
    """A name (and optional country) → the same hits as ``manage.py screen --json``."""

    write_scope = Scope.SCREENING
    serializer_class = s.ScreenInputSerializer
    parser_classes = [JSONParser]

    @extend_schema(operation_id="screen", request=s.ScreenInputSerializer,
                   responses={200: inline_serializer("ScreenResult", {"matches": s.ScreenMatchSerializer(many=True)})})
    def post(self, request):
        _refuse(watchlists_perms.can_search(request.user))
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        matches = search(data["name"], country=data.get("country") or None, limit=data["limit"])
        return Response({"matches": [match.as_json() for match in matches]})

