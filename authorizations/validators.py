"""Unified social credit code (统一社会信用代码) per GB 32100-2015 (DOMAIN A1)."""

import unicodedata

from django.core.exceptions import ValidationError

# GB 32100 alphabet: digits and capitals without I, O, Z, S, V.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: str | None) -> str:
    """The code as typed, as the register keeps it: half-width (NFKC), no spaces anywhere, upper case.

    Codes are copied from licences and Chinese input methods, so full-width "９１４１ｍａ" and "9141 0100 …" are
    the same code; an invisible format character (zero-width space, BOM) pasted along is dropped too.
    """
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf").upper()


def validate_credit_code(value: str) -> None:
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位，当前为%(n)d位。", code="length", params={"n": len(code)})
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_CODE_CHARS:
            raise ValidationError(
                "统一社会信用代码第%(pos)d位的字符“%(char)s”不合法（只能是数字或除I、O、Z、S、V以外的大写字母）。",
                code="char",
                params={"pos": position, "char": char},
            )
    if not code[2:8].isdigit():
        raise ValidationError("统一社会信用代码第3至8位应为行政区划码（6位数字）。", code="division")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            "统一社会信用代码校验码错误：第18位应为“%(expected)s”，实际为“%(actual)s”，请核对是否录入有误。",
            code="checksum",
            params={"expected": expected, "actual": code[17]},
        )


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    return first17 + credit_code_check_char(first17)
