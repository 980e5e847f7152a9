from django.db import migrations

CHECKS_ZH = {
    "business_licence": "统一社会信用代码、名称和法定代表人与申请表一致；在有效期内。",
    "financial_statements": "资产负债表、利润表和现金流量表齐全；数字与申请表一致。",
    "audit_report": "由备案会计师事务所出具；审计意见为标准无保留意见。",
    "bank_reference": "近三个月内开具。",
    "legal_rep_id": "姓名与营业执照一致；证件未过期。",
    "articles": "现行有效版本；列明股东。",
    "tax_certificate": "纳税信用等级与申请表一致。",
}


def load(apps, schema_editor):
    DocumentType = apps.get_model("onboarding", "DocumentType")
    for code, text in CHECKS_ZH.items():
        DocumentType.objects.filter(code=code, description_zh="").update(description_zh=text)


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0006_document_check_text_zh")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
