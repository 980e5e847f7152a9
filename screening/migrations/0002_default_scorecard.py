"""The default scorecard (version 1, published by the system) and the default investigation policy.

Why each band and weight: docs/scorecard.md. Bands are [lower, upper): lower inclusive,
upper exclusive, None = open. Categorical metrics name their category instead.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

N = None

# metric, group, weight, bands: (lower, upper, points) or (category, points)
CRITERIA = [
    # Financial status — 40
    ("debt_ratio", "financial", 10, [(N, 40, 100), (40, 55, 85), (55, 70, 60), (70, 85, 30), (85, 100, 10),
                                     (100, N, 0)]),
    ("current_ratio", "financial", 8, [(N, "0.8", 0), ("0.8", 1, 30), (1, "1.2", 55), ("1.2", "1.5", 75),
                                       ("1.5", 2, 90), (2, N, 100)]),
    ("net_margin", "financial", 8, [(N, 0, 0), (0, 2, 35), (2, 5, 60), (5, 10, 80), (10, N, 100)]),
    ("revenue", "financial", 6, [(N, 5_000_000, 20), (5_000_000, 20_000_000, 40), (20_000_000, 100_000_000, 60),
                                 (100_000_000, 500_000_000, 80), (500_000_000, N, 100)]),
    ("cash_flow_ratio", "financial", 8, [(N, 0, 0), (0, "0.1", 30), ("0.1", "0.2", 55), ("0.2", "0.4", 80),
                                         ("0.4", N, 100)]),
    # Business background — 30
    ("years_in_business", "business", 8, [(N, 1, 0), (1, 3, 30), (3, 5, 55), (5, 10, 80), (10, N, 100)]),
    ("registered_capital", "business", 5, [(N, 1_000_000, 20), (1_000_000, 5_000_000, 40),
                                           (5_000_000, 20_000_000, 60), (20_000_000, 100_000_000, 80),
                                           (100_000_000, N, 100)]),
    ("industry_risk_class", "business", 7, [("1", 100), ("2", 80), ("3", 60), ("4", 35), ("5", 10)]),
    ("customer_concentration", "business", 5, [(N, 20, 100), (20, 40, 80), (40, 60, 55), (60, 80, 30),
                                               (80, N, 10)]),
    ("market_position", "business", 5, [("leader", 100), ("strong", 80), ("average", 55), ("weak", 25)]),
    # Credit record — 30
    ("bureau_score", "credit", 12, [(N, 500, 0), (500, 600, 30), (600, 650, 50), (650, 700, 70), (700, 750, 85),
                                    (750, N, 100)]),
    ("overdue_count", "credit", 8, [(N, 1, 100), (1, 2, 70), (2, 3, 40), (3, 5, 15), (5, N, 0)]),
    ("litigation_count", "credit", 4, [(N, 1, 100), (1, 2, 80), (2, 4, 50), (4, 6, 20), (6, N, 0)]),
    ("tax_rating", "credit", 6, [("A", 100), ("B", 80), ("M", 60), ("C", 20), ("D", 0)]),
]

KNOCKOUTS = [
    ("watchlist_true_match", {}),
    ("negative_net_assets", {}),
    ("min_years_in_business", {"min_years": 1}),
    ("tax_rating", {"ratings": ["D"]}),
    ("bureau_score_floor", {"floor": 500}),
    ("data_coverage", {"min_percent": 80}),
]


def _dec(value):
    return None if value is None else Decimal(str(value))


def load(apps, schema_editor):
    ScorecardVersion = apps.get_model("screening", "ScorecardVersion")
    Criterion = apps.get_model("screening", "Criterion")
    Band = apps.get_model("screening", "Band")
    KnockOutRule = apps.get_model("screening", "KnockOutRule")
    InvestigationPolicy = apps.get_model("screening", "InvestigationPolicy")
    InvestigationPolicy.objects.get_or_create(pk=1, defaults={
        "interview_always": True, "site_visit_tiers": ["C", "D"], "site_visit_limit_above": Decimal("1000000"),
        "report_tiers": ["D"], "report_limit_above": Decimal("5000000"),
    })
    if ScorecardVersion.objects.exists():
        return
    now = timezone.now()
    version = ScorecardVersion.objects.create(
        number=1, status="published", author=None, publisher=None, created_at=now, published_at=now,
        admission_threshold=Decimal("60"), tier_a_min=Decimal("85"), tier_b_min=Decimal("70"),
        tier_c_min=Decimal("60"),
        notes="Default model shipped with Vetted; reasons in docs/scorecard.md.",
    )
    for ordering, (metric, group, weight, bands) in enumerate(CRITERIA, start=1):
        criterion = Criterion.objects.create(
            version=version, group=group, metric=metric, label="", weight=Decimal(weight), ordering=ordering * 10,
        )
        for band in bands:
            if len(band) == 2:
                Band.objects.create(criterion=criterion, category=band[0], points=band[1])
            else:
                Band.objects.create(criterion=criterion, lower=_dec(band[0]), upper=_dec(band[1]), points=band[2])
    for code, parameters in KNOCKOUTS:
        KnockOutRule.objects.create(version=version, code=code, enabled=True, parameters=parameters)


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
