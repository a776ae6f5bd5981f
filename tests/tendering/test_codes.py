"""The unified social credit code (GB 32100-2015): real published codes, checked against an
independent implementation of the standard, never against the function under test."""

import random
import string

import pytest
from django.core.exceptions import ValidationError

from renovation.tendering.codes import normalise_uscc, uscc_check_character, validate_uscc

# Codes of well-known companies as they publish them (licence pages, annual reports). Each has
# non-zero characters at different positions, so every weight takes part in some check character.
PUBLISHED = {
    "深圳市腾讯计算机系统有限公司": "91440300708461136T",
    "华为技术有限公司": "914403001922038216",
    "小米科技有限责任公司": "91110108551385082Q",
    "阿里巴巴（中国）有限公司": "91330100799655058B",
    "北京百度网讯科技有限公司": "91110000802100433B",
    "贵州茅台酒股份有限公司": "91520000214434146R",
    "比亚迪股份有限公司": "91440300192317458F",
    "中国石油天然气股份有限公司": "91110000710925462X",
    "北京京东世纪贸易有限公司": "91110302562134916R",
    "中国工商银行股份有限公司": "91100000100003962T",
}

# GB 32100-2015 written out independently: the alphabet is the digits and capitals without
# I, O, S, V and Z; the weight of position i is 3^i mod 31; the check value is 31 - sum mod 31.
INDEPENDENT_ALPHABET = [c for c in string.digits + string.ascii_uppercase if c not in "IOSVZ"]


def independent_check(body: str) -> str:
    total = sum(INDEPENDENT_ALPHABET.index(char) * pow(3, position, 31) for position, char in enumerate(body))
    return INDEPENDENT_ALPHABET[(31 - total % 31) % 31]


def test_the_independent_implementation_agrees_with_the_published_codes():
    assert len(INDEPENDENT_ALPHABET) == 31
    for code in PUBLISHED.values():
        assert independent_check(code[:17]) == code[17], code


@pytest.mark.parametrize("code", PUBLISHED.values())
def test_it_accepts_published_codes(code):
    validate_uscc(code)
    assert uscc_check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", PUBLISHED.values())
def test_it_refuses_each_published_code_with_another_check_character(code):
    for wrong in INDEPENDENT_ALPHABET:
        if wrong != code[17]:
            with pytest.raises(ValidationError) as error:
                validate_uscc(code[:17] + wrong)
            assert error.value.code == "uscc_check"


def test_it_agrees_with_the_standard_on_every_position_and_character():
    """Every character at every position, and random bodies: the weights and modulus 31 all count."""
    generator = random.Random(32100)
    bodies = ["0" * position + char + "0" * (16 - position) for position in range(17) for char in "1Y"]
    bodies += ["".join(generator.choice(INDEPENDENT_ALPHABET) for _ in range(17)) for _ in range(200)]
    for body in bodies:
        assert uscc_check_character(body) == independent_check(body), body


def test_it_gives_zero_when_the_sum_is_a_multiple_of_31():
    assert uscc_check_character("0" * 17) == "0"
    assert independent_check("0" * 17) == "0"


def test_it_refuses_a_wrong_check_character_with_a_message():
    with pytest.raises(ValidationError) as error:
        validate_uscc("91350100M000100Y44")
    assert error.value.code == "uscc_check"
    assert "校验" in error.value.messages[0]


@pytest.mark.parametrize(("code", "count"), [("9135010", 7), ("91350100M000100Y43X", 19), ("", 0)])
def test_it_refuses_a_wrong_length_naming_the_length(code, count):
    with pytest.raises(ValidationError) as error:
        validate_uscc(code)
    assert error.value.code == "uscc_length"
    assert error.value.params == {"count": count}
    assert f"{count}" in error.value.messages[0]


@pytest.mark.parametrize(("code", "shown"), [("91350100M000100I43", "I"), ("9135O100M000100S4Z", "O、S、Z")])
def test_it_refuses_letters_outside_the_alphabet_naming_them(code, shown):
    with pytest.raises(ValidationError) as error:
        validate_uscc(code)
    assert error.value.code == "uscc_alphabet"
    assert error.value.params == {"chars": shown}
    assert shown in error.value.messages[0]


def test_it_normalises_case_and_spaces():
    assert normalise_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalise_uscc("9135 0100 M000 100Y 43") == "91350100M000100Y43"
    assert normalise_uscc(None) == ""
    validate_uscc(" 91440300708461136t ")
