"""Amounts in 人民币大写, as settlement documents write them (壹万贰仟叁佰肆拾伍元陆角柒分).

Rules of the People's Bank's 支付结算办法: 整 after 元 when there are no jiao or fen, none after
分; a 零 for every run of zeros inside the number (壹仟零伍元), and between 元 and 分 when there
are no jiao (壹佰元零伍分); 负 before a negative amount.
"""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
SECTION_UNITS = ("", "万", "亿", "万亿")
CENT = Decimal("0.01")


def _section(number: int) -> str:
    """0 < number < 10000 in digits and units, zeros inside collapsed to one 零."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def _integer(number: int) -> str:
    if number == 0:
        return ""
    sections = []
    while number:
        sections.append(number % 10000)
        number //= 10000
    if len(sections) > len(SECTION_UNITS):
        raise ValueError("amount too large")
    text = ""
    for index in range(len(sections) - 1, -1, -1):
        value = sections[index]
        if value == 0:
            continue
        if text and (value < 1000 or sections[index + 1] == 0):
            text += "零"
        text += _section(value) + SECTION_UNITS[index]
    return text.replace("零零", "零")


def rmb_upper(amount: Decimal) -> str:
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount == 0:
        return "零元整"
    sign = "负" if amount < 0 else ""
    cents = int(abs(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text = _integer(yuan)
    if text:
        text += "元"
    if jiao == 0 and fen == 0:
        return sign + text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    if fen:
        if not jiao and yuan:
            text += "零"
        text += DIGITS[fen] + "分"
    return sign + text
