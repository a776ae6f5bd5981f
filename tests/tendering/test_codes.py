import pytest
from django.core.exceptions import ValidationError

from renovation.tendering.codes import normalise_uscc, uscc_check_character, validate_uscc


def test_it_accepts_a_published_code():
    # The code of a real company, as printed on its business licence.
    validate_uscc("91350100M000100Y43")


def test_it_computes_the_check_character_of_gb_32100():
    assert uscc_check_character("91350100M000100Y4") == "3"


def test_it_refuses_a_wrong_check_character():
    with pytest.raises(ValidationError) as error:
        validate_uscc("91350100M000100Y44")
    assert "校验" in str(error.value)


@pytest.mark.parametrize("code", ["9135010", "91350100M000100Y43X", "91350100M000100I43", "91350100M000100O4Z"])
def test_it_refuses_wrong_length_and_letters_not_in_the_alphabet(code):
    with pytest.raises(ValidationError):
        validate_uscc(code)


def test_it_normalises_case_and_spaces():
    assert normalise_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
