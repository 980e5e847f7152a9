import pytest
from django.core.exceptions import ValidationError

from onboarding.validators import credit_code_check_char, validate_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B", "9131000013221158XC", " 91350100m000100y43 "])
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "The check digit does not match: please check the code for a typing error."),
        ("91350100M000100Y4", "A unified social credit code has 18 characters; this one has 17."),
        ("91350100M000100Y433", "A unified social credit code has 18 characters; this one has 19."),
        ("91350100I000100Y43", "These characters cannot appear in a unified social credit code: I."),
        ("9135010OM0S0100Y43", "These characters cannot appear in a unified social credit code: O S."),
        ("", "A unified social credit code has 18 characters; this one has 0."),
    ],
)
def test_invalid_credit_codes_explain_why(code, message):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert error.value.messages == [message]


def test_check_char_follows_gb32100_weights():
    # 9135 0100 M000 100Y 4 → weighted sum 443, 443 mod 31 = 9, 31 - 9 = 22 → "N"? computed below by hand:
    body = "91350100M000100Y4"
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(charset.index(c) * w for c, w in zip(body, weights))
    assert credit_code_check_char(body) == charset[(31 - total % 31) % 31] == "3"
