import pytest
from django.core.exceptions import ValidationError

from resettlement.masking import mask_id_number, mask_name, mask_phone
from resettlement.phone_numbers import ERROR_PHONE, normalize_phone


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("029-88881234", "029-88881234"),
        ("029－8888 1234", "029-88881234"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "88881234", "phone"])
def test_bad_phone_numbers_are_refused_in_chinese(raw):
    with pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert error.value.messages == [str(ERROR_PHONE)]
    assert "11位手机号" in error.value.messages[0]


def test_id_number_keeps_area_code_and_last_four():
    assert mask_id_number("61011319900101123X") == "610113********123X"


def test_mobile_number_keeps_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_landline_keeps_area_code_and_last_four():
    assert mask_phone("029-88881234") == "029-****1234"


@pytest.mark.parametrize(
    ("name", "masked"), [("张三明", "张*明"), ("张三", "张*"), ("欧阳建国", "欧**国")]
)
def test_names_for_public_notices(name, masked):
    assert mask_name(name) == masked
