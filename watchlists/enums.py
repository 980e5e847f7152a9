from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EntityType(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class SourceFormat(models.TextChoices):
    CSV = "csv", _("Simple CSV")
    OPENSANCTIONS = "opensanctions", _("OpenSanctions targets.simple.csv")
    FTM = "ftm", _("OpenSanctions entities.ftm.json (FollowTheMoney JSON lines)")
    OFAC = "ofac", _("OFAC SDN (SDN.XML, or SDN.CSV with ALT.CSV and ADD.CSV, or a zip of them)")
    UN = "un", _("UN Security Council consolidated list (XML)")
    UK = "uk", _("UK consolidated list (OFSI ConList.csv)")
    EU = "eu", _("EU financial sanctions file (XML, or CSV with “;”)")


class Subject(models.TextChoices):
    """Which of the screened party's names produced a hit."""

    COMPANY_NAME_ZH = "company_name_zh", _("Company name (Chinese)")
    COMPANY_NAME_EN = "company_name_en", _("Company name (English)")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    CUSTOMER_NAME = "customer_name", _("Customer name")


class Disposition(models.TextChoices):
    PENDING = "pending", pgettext_lazy("watchlist hit status", "Pending")
    FALSE_POSITIVE = "false_positive", _("False positive")
    TRUE_MATCH = "true_match", _("True match")



class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
