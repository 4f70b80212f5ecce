import pytest
from django.core.exceptions import ValidationError

from authorizations.validators import make_credit_code, validate_credit_code


def test_published_example_credit_code_is_accepted():
    """A1: a real code that satisfies GB 32100's check character passes."""
    validate_credit_code("91350100M000100Y43")


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "应为18位，当前为17位"),
        ("91350100M000100Y434", "应为18位，当前为19位"),
        ("91350100M000100I43", "第16位的字符“I”不合法"),
        ("91350100M000100Y44", "第18位应为“3”，实际为“4”"),
        ("91AB0100M000100Y43", "行政区划码"),
    ],
)
def test_wrong_credit_code_is_refused_with_the_reason(code, fragment):
    """A1: length, alphabet, division code and check character each give their own message."""
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert fragment in error.value.messages[0]


def test_a_single_mistyped_character_is_always_caught():
    """A1: the check character detects every single-character substitution."""
    code = make_credit_code("12410100MA4410012")
    for position in range(17):
        for char in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1 :]
            with pytest.raises(ValidationError):
                validate_credit_code(typo)
