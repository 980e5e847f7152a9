"""Choices of the screening app. Labels are translatable; codes are stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CriterionGroup(models.TextChoices):
    FINANCIAL = "financial", _("Financial status")
    BUSINESS = "business", _("Business background")
    CREDIT = "credit", _("Credit record")


class Metric(models.TextChoices):
    """What a criterion scores. Each is derived in ``screening.metrics`` from the input dict."""

    DEBT_RATIO = "debt_ratio", _("Debt ratio")
    CURRENT_RATIO = "current_ratio", _("Current ratio")
    NET_MARGIN = "net_margin", _("Net margin")
    REVENUE = "revenue", _("Revenue")
    CASH_FLOW_RATIO = "cash_flow_ratio", _("Operating cash flow to current liabilities")
    YEARS_IN_BUSINESS = "years_in_business", _("Years in business")
    REGISTERED_CAPITAL = "registered_capital", _("Registered capital")
    INDUSTRY_RISK_CLASS = "industry_risk_class", _("Industry risk class")
    CUSTOMER_CONCENTRATION = "customer_concentration", _("Customer concentration (top five share)")
    MARKET_POSITION = "market_position", _("Market position")
    BUREAU_SCORE = "bureau_score", _("Credit bureau score")
    OVERDUE_COUNT = "overdue_count", _("Overdue records (24 months)")
    LITIGATION_COUNT = "litigation_count", _("Litigation cases")
    TAX_RATING = "tax_rating", _("Tax credit rating")


# Metrics scored by category (a band names a value) rather than by numeric range.
CATEGORICAL_METRICS = frozenset({Metric.INDUSTRY_RISK_CLASS, Metric.MARKET_POSITION, Metric.TAX_RATING})

# The group each metric belongs to in the admission guide (§1.1–1.3).
METRIC_GROUPS = {
    Metric.DEBT_RATIO: CriterionGroup.FINANCIAL,
    Metric.CURRENT_RATIO: CriterionGroup.FINANCIAL,
    Metric.NET_MARGIN: CriterionGroup.FINANCIAL,
    Metric.REVENUE: CriterionGroup.FINANCIAL,
    Metric.CASH_FLOW_RATIO: CriterionGroup.FINANCIAL,
    Metric.YEARS_IN_BUSINESS: CriterionGroup.BUSINESS,
    Metric.REGISTERED_CAPITAL: CriterionGroup.BUSINESS,
    Metric.INDUSTRY_RISK_CLASS: CriterionGroup.BUSINESS,
    Metric.CUSTOMER_CONCENTRATION: CriterionGroup.BUSINESS,
    Metric.MARKET_POSITION: CriterionGroup.BUSINESS,
    Metric.BUREAU_SCORE: CriterionGroup.CREDIT,
    Metric.OVERDUE_COUNT: CriterionGroup.CREDIT,
    Metric.LITIGATION_COUNT: CriterionGroup.CREDIT,
    Metric.TAX_RATING: CriterionGroup.CREDIT,
}

# How a metric's value is shown: percent, ratio, CNY amount, years, count or category.
METRIC_UNITS = {
    Metric.DEBT_RATIO: "percent",
    Metric.CURRENT_RATIO: "ratio",
    Metric.NET_MARGIN: "percent",
    Metric.REVENUE: "cny",
    Metric.CASH_FLOW_RATIO: "ratio",
    Metric.YEARS_IN_BUSINESS: "years",
    Metric.REGISTERED_CAPITAL: "cny",
    Metric.INDUSTRY_RISK_CLASS: "category",
    Metric.CUSTOMER_CONCENTRATION: "percent",
    Metric.MARKET_POSITION: "category",
    Metric.BUREAU_SCORE: "number",
    Metric.OVERDUE_COUNT: "number",
    Metric.LITIGATION_COUNT: "number",
    Metric.TAX_RATING: "category",
}


class KnockOut(models.TextChoices):
    """Rules that override the score: when one fires the tier is D and the evaluation fails."""

    WATCHLIST_TRUE_MATCH = "watchlist_true_match", _("Confirmed watchlist match")
    NEGATIVE_NET_ASSETS = "negative_net_assets", _("Negative net assets")
    MIN_YEARS_IN_BUSINESS = "min_years_in_business", _("In business for too short a time")
    TAX_RATING = "tax_rating", _("Tax credit rating excluded")
    BUREAU_SCORE_FLOOR = "bureau_score_floor", _("Credit bureau score under the floor")
    DATA_COVERAGE = "data_coverage", _("Too little data to score")


class InvestigationKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    SITE_VISIT = "site_visit", _("Site visit")
    THIRD_PARTY_REPORT = "third_party_report", _("Third-party report")
