"""What the API answers (read side) and what its bodies may hold (for the schema and unknown-field checks).

Writes are validated by the screens' own forms (``api.drafts``) and services, never here.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import drafts
from onboarding import services as onboarding_services
from onboarding.models import Application, Contact, Customer, CustomerCondition, Document, FinancialStatement, StateChange


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of ignoring them silently."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class FinancialSerializer(serializers.ModelSerializer):
    class Meta:
        model = FinancialStatement
        fields = list(drafts.FINANCIAL_KEYS)


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = list(drafts.CONTACT_KEYS)


class DocumentSerializer(serializers.ModelSerializer):
    document_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Document
        fields = ["id", "document_type", "original_name", "content_type", "size", "sha256", "version", "is_current",
                  "replaces", "status", "review_reason", "uploaded_at", "reviewed_at"]


class StateChangeSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = StateChange
        fields = ["transition", "from_state", "to_state", "actor", "reason", "created_at"]


class ApplicationSummarySerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    created_by = serializers.StringRelatedField()

    class Meta:
        model = Application
        fields = ["id", "reference", "kind", "name", "credit_code", "state", "state_display", "customer",
                  "created_by", "created_at", "submitted_at", "decided_at", "state_entered_at"]


class ApplicationSerializer(ApplicationSummarySerializer):
    """Sections (the unified form), documents, state, history and the transitions the caller may take."""

    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    financials = FinancialSerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    history = StateChangeSerializer(source="state_changes", many=True, read_only=True)
    transitions = serializers.SerializerMethodField()

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [*ApplicationSummarySerializer.Meta.fields, *[f for f in drafts.APPLICATION_FIELDS if f != "credit_code"],
                  "financials", "contacts", "documents", "history", "transitions"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_transitions(self, application: Application) -> list[str]:
        return onboarding_services.available_transitions(application, self.context["request"].user)


class ApplicationInputSerializer(StrictSerializer):
    """The body of a draft create or update: the unified form's fields, all optional in a draft."""

    financials = FinancialSerializer(many=True, required=False)
    contacts = ContactSerializer(many=True, required=False)

    def get_fields(self):
        fields = {}
        model_fields = serializers.ModelSerializer.serializer_field_mapping
        for name in drafts.APPLICATION_FIELDS:
            model_field = Application._meta.get_field(name)
            if name == "industry":
                fields[name] = serializers.CharField(required=False, allow_blank=True, help_text="Industry code")
                continue
            field_class = model_fields.get(type(model_field), serializers.CharField)
            kwargs = {"required": False, "allow_null": True}
            if model_field.choices:
                fields[name] = serializers.ChoiceField(choices=model_field.choices, allow_blank=True, **kwargs)
                continue
            if field_class is serializers.DecimalField:
                kwargs.update(max_digits=model_field.max_digits, decimal_places=model_field.decimal_places)
            if field_class is serializers.CharField:
                kwargs["allow_blank"] = True
            fields[name] = field_class(**kwargs)
        return {**fields, **super().get_fields()}


class TransitionInputSerializer(StrictSerializer):
    transition = serializers.ChoiceField(choices=onboarding_services.TRANSITIONS)
    expected_state = serializers.CharField(help_text="The state the caller saw; required")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TransitionResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    application = ApplicationSerializer()


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    messages = serializers.ListField(child=serializers.CharField())
    state = serializers.CharField(required=False)


class DocumentUploadInputSerializer(StrictSerializer):
    document_type = serializers.CharField(help_text="Document type code")
    file = serializers.FileField()


class DocumentReplaceInputSerializer(StrictSerializer):
    file = serializers.FileField()


class ConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerCondition
        fields = ["id", "text", "due_date", "fulfilled_at", "application"]


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id", allow_null=True)
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    scorecard_version = serializers.IntegerField(source="version_id")
    total = serializers.DecimalField(max_digits=5, decimal_places=2)
    tier = serializers.CharField()
    passed = serializers.BooleanField()
    knockouts = serializers.JSONField()
    result = serializers.JSONField()
    created_at = serializers.DateTimeField()


class CustomerSummarySerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    sales_owner = serializers.StringRelatedField()
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "credit_code", "customer_type", "industry", "status", "status_display", "tier",
                  "credit_limit", "payment_terms_days", "next_review_date", "admitted_at", "sales_owner"]


class CustomerSerializer(CustomerSummarySerializer):
    conditions = ConditionSerializer(many=True, read_only=True)
    latest_evaluation = serializers.SerializerMethodField()

    class Meta(CustomerSummarySerializer.Meta):
        fields = [*CustomerSummarySerializer.Meta.fields, "conditions", "latest_evaluation"]

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_latest_evaluation(self, customer: Customer):
        evaluation = self.context["latest_evaluation"]
        return EvaluationSerializer(evaluation).data if evaluation is not None else None


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id", allow_null=True)
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    source = serializers.CharField(source="source.name")
    entry_external_id = serializers.CharField()
    entry_name = serializers.CharField()
    subject = serializers.CharField()
    query_name = serializers.CharField()
    matched_name = serializers.CharField()
    score = serializers.DecimalField(max_digits=4, decimal_places=1)
    disposition = serializers.CharField()
    reason = serializers.CharField()
    dispositioned_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    indicator = serializers.CharField()
    indicator_display = serializers.CharField(source="get_indicator_display")
    severity = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    opened_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    assignee = serializers.StringRelatedField()
    note = serializers.CharField()
    review_application = serializers.IntegerField(source="review_application_id", allow_null=True)


class AlertResolveInputSerializer(StrictSerializer):
    note = serializers.CharField(max_length=4000)


class AlertAcknowledgeInputSerializer(StrictSerializer):
    assignee = serializers.IntegerField(required=False, allow_null=True, help_text="User id of a risk manager; "
                                                                                   "the client's user by default")


class ScreenInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=300)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, allow_null=True)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class ScreenMatchSerializer(serializers.Serializer):
    """The ``manage.py screen --json`` contract: exactly these keys."""

    entry_id = serializers.IntegerField()
    name = serializers.CharField()
    matched_name = serializers.CharField()
    score = serializers.FloatField()
    source = serializers.CharField()
