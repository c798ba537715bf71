"""How personal data is shown to people who may not see it in full (PIPL minimisation)."""

from resettlement.phone_numbers import MOBILE


def mask_id_number(value: str) -> str:
    """610113199001011234 -> 610113********1234: area code and last four stay readable."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; a landline keeps its area code and last four digits."""
    if not value:
        return ""
    if MOBILE.match(value):
        return value[:3] + "****" + value[-4:]
    area, _, number = value.partition("-")
    if number:
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_name(value: str) -> str:
    """张三明 -> 张*明, 张三 -> 张*: for public notices."""
    name = (value or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
