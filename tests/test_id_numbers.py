import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from resettlement.id_numbers import (
    ERROR_BIRTH_DATE,
    ERROR_CHECKSUM,
    ERROR_LENGTH,
    ERROR_STORED_AS_NUMBER,
    birth_date_of,
    check_character,
    is_valid_id_number,
    normalize_id_number,
)

# Published GB 11643 worked example: 11010519491231002X.
KNOWN_VALID = "11010519491231002X"

birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31))
areas = st.integers(min_value=110000, max_value=659999).map(str)
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@st.composite
def valid_ids(draw) -> str:
    body = f"{draw(areas)}{draw(birth_dates):%Y%m%d}{draw(sequences)}"
    return body + check_character(body)


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)


def message(error: ValidationError) -> str:
    return error.value.messages[0]


def test_known_example_is_valid():
    assert normalize_id_number(KNOWN_VALID) == KNOWN_VALID


@given(valid_ids())
def test_every_checksum_valid_number_is_accepted_unchanged(number):
    assert normalize_id_number(number) == number


@given(valid_ids())
def test_full_width_digits_spaces_and_lowercase_x_are_normalised(number):
    messy = " " + to_full_width(number[:6]) + " " + number[6:14] + "\u3000" + number[14:].lower()
    assert normalize_id_number(messy) == number


@given(valid_ids(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_any_single_digit_is_detected(number, position, delta):
    digit = (int(number[position]) + delta) % 10
    tampered = number[:position] + str(digit) + number[position + 1 :]
    assert not is_valid_id_number(tampered)


@given(valid_ids())
def test_wrong_check_character_names_the_checksum(number):
    wrong = next(c for c in "0123456789X" if c != number[17])
    with pytest.raises(ValidationError) as error:
        normalize_id_number(number[:17] + wrong)
    assert message(error) == str(ERROR_CHECKSUM)


def test_old_fifteen_digit_number_is_upgraded_to_eighteen():
    # 15-digit form of the known example: area, YYMMDD, sequence.
    assert normalize_id_number("110105491231002") == KNOWN_VALID


def test_impossible_birth_date_is_refused():
    body = "61011319990231001"
    with pytest.raises(ValidationError) as error:
        normalize_id_number(body + check_character(body))
    assert message(error) == str(ERROR_BIRTH_DATE)


def test_wrong_length_is_refused():
    with pytest.raises(ValidationError) as error:
        normalize_id_number("6101131990")
    assert message(error) == str(ERROR_LENGTH)


def test_spreadsheet_number_cell_is_refused_with_advice():
    with pytest.raises(ValidationError) as error:
        normalize_id_number(6.10113199001011e17)
    assert message(error) == str(ERROR_STORED_AS_NUMBER)


def test_birth_date_is_read_from_the_number():
    assert birth_date_of(KNOWN_VALID) == datetime.date(1949, 12, 31)


def test_messages_are_chinese_by_default():
    assert str(ERROR_CHECKSUM) == "身份证号校验位错误（GB 11643 校验）。"
