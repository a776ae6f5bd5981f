"""The unified social credit code (统一社会信用代码) of GB 32100-2015 and its check digit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 31 characters of the code's alphabet, in the order that gives each its value (I, O, S, V, Z
# are left out so they cannot be misread).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first_17: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first_17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_uscc(value: str) -> None:
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)s."),
            code="uscc_length",
            params={"count": len(code)},
        )
    bad = sorted({char for char in code if char not in ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s."),
            code="uscc_alphabet",
            params={"chars": "、".join(bad)},
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("This unified social credit code is not valid: its check character does not match. Please check it."),
            code="uscc_check",
        )
