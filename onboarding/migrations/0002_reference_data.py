"""Reference data every installation needs: industries, document types, the checklist, role permissions.

Demo users and applications are not here: they come from ``manage.py seed_demo`` only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# code, Chinese, English, risk class (1 lowest – 5 highest)
INDUSTRIES = [
    ("MFG-EQP", "装备制造", "Equipment manufacturing", 2),
    ("MFG-ELEC", "电子元器件", "Electronic components", 2),
    ("MFG-CHEM", "化工", "Chemicals", 4),
    ("MFG-TEXT", "纺织服装", "Textiles and apparel", 3),
    ("FOOD", "食品饮料", "Food and beverage", 2),
    ("PHARMA", "医药", "Pharmaceuticals", 2),
    ("RETAIL", "批发零售", "Wholesale and retail", 3),
    ("LOGI", "交通物流", "Transport and logistics", 3),
    ("CONSTR", "建筑工程", "Construction", 4),
    ("REALEST", "房地产", "Real estate", 5),
    ("ENERGY", "能源电力", "Energy and utilities", 2),
    ("MINING", "采矿", "Mining", 4),
    ("IT", "信息技术", "Information technology", 2),
    ("AGRI", "农林牧渔", "Agriculture", 3),
    ("TRADE", "进出口贸易", "Import and export trade", 4),
]

# code, Chinese, English, what to check
DOCUMENT_TYPES = [
    ("business_licence", "营业执照", "Business licence", "Credit code, name and legal representative match the form; valid date."),
    ("financial_statements", "上年度财务报表", "Last year's financial statements", "Balance sheet, income and cash-flow statements; figures match the form."),
    ("audit_report", "审计报告", "Audit report", "Issued by a registered accounting firm; opinion is unqualified."),
    ("bank_reference", "银行资信证明", "Bank reference", "Issued within the last three months."),
    ("legal_rep_id", "法定代表人身份证明", "Legal representative ID", "Name matches the licence; not expired."),
    ("articles", "公司章程", "Articles of association", "Current version; shareholders listed."),
    ("tax_certificate", "纳税信用证明", "Tax credit certificate", "Rating matches the form."),
    ("other", "其他资料", "Other", ""),
]

COMMON = ["business_licence", "financial_statements", "bank_reference", "legal_rep_id"]
CHECKLIST = {
    "corporate": COMMON + ["audit_report", "articles"],
    "sme": COMMON + ["tax_certificate"],
    "state_owned": COMMON + ["audit_report"],
    "foreign": COMMON + ["articles", "audit_report"],
    "sole_proprietor": ["business_licence", "legal_rep_id", "bank_reference"],
}
OPTIONAL = {"sme": ["audit_report"], "sole_proprietor": ["financial_statements", "tax_certificate"]}

VIEW_ALL = [
    "view_application", "view_document", "view_customer", "view_customercondition", "view_statechange",
    "view_financialstatement", "view_contact",
]
PERMISSIONS = {
    "sales": ["view_application", "add_application", "change_application", "add_document", "view_document"],
    "document_reviewer": VIEW_ALL + ["change_document"],
    "investigator": VIEW_ALL,
    "approver_finance": VIEW_ALL,
    "approver_legal": VIEW_ALL,
    "approver_business": VIEW_ALL,
    "risk_manager": VIEW_ALL + ["view_industry", "view_documentrequirement", "view_documenttype"],
    "admin": VIEW_ALL + [
        f"{action}_{model}"
        for model in ("industry", "documenttype", "documentrequirement", "user", "group")
        for action in ("add", "change", "delete", "view")
    ],
}


def load(apps, schema_editor):
    Industry = apps.get_model("onboarding", "Industry")
    DocumentType = apps.get_model("onboarding", "DocumentType")
    DocumentRequirement = apps.get_model("onboarding", "DocumentRequirement")
    for code, zh, en, risk in INDUSTRIES:
        Industry.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en, "risk_class": risk})
    types = {}
    for code, zh, en, check in DOCUMENT_TYPES:
        types[code], _ = DocumentType.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "description": check}
        )
    for customer_type, codes in CHECKLIST.items():
        for code in codes:
            DocumentRequirement.objects.get_or_create(
                customer_type=customer_type, document_type=types[code], defaults={"required": True}
            )
        for code in OPTIONAL.get(customer_type, []):
            DocumentRequirement.objects.get_or_create(
                customer_type=customer_type, document_type=types[code], defaults={"required": False}
            )

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
