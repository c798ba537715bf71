"""Synthetic people for demo and test data. Nothing here comes from a real register.

Names are drawn from common surnames and given-name characters; ID numbers are assembled from
Yanta district's area code (610113), a random birth date and sequence, and the GB 11643 check
character, so they validate like real ones while being generated, not collected; phone numbers
come from 130-0000-xxxx, a block that reads as fictitious at a glance.
"""

import datetime
import random

from resettlement.id_numbers import check_character

AREA_CODE = "610113"
PHONE_PREFIX = "1300000"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_MALE = "建国军伟强磊明涛斌勇杰超鹏辉刚峰海波亮平华宁成东林志宏俊浩宇晨阳"
GIVEN_FEMALE = "秀英丽娟敏静芳燕霞玲红梅艳娜婷雪琳莉欣怡佳慧颖倩萍兰凤洁"


class PeopleFactory:
    """Deterministic for a seed, and never repeats an ID number or a phone number."""

    def __init__(self, seed: int = 2024):
        self.random = random.Random(seed)
        self._ids: set[str] = set()
        self._next_phone = 0

    def name(self, *, male: bool) -> str:
        given = GIVEN_MALE if male else GIVEN_FEMALE
        length = self.random.choice((1, 2, 2))
        return self.random.choice(SURNAMES) + "".join(
            self.random.choice(given) for _ in range(length)
        )

    def birth_date(self, *, min_age: int, max_age: int, today: datetime.date) -> datetime.date:
        days = self.random.randint(min_age * 365 + 1, max_age * 365 - 1)
        return today - datetime.timedelta(days=days)

    def id_number(self, *, born: datetime.date, male: bool) -> str:
        """A new number for this birth date and sex. One date holds 499 numbers per sex (odd
        sequence codes for men, even for women): asking for more is an error, not a hang."""
        first = self.random.randrange(1, 999)
        for step in range(0, 999, 2):
            sequence = (first + step - 1) % 998 + 1
            if (sequence % 2 == 1) != male:
                sequence = sequence % 998 + 1
            body = f"{AREA_CODE}{born:%Y%m%d}{sequence:03d}"
            number = body + check_character(body)
            if number not in self._ids:
                self._ids.add(number)
                return number
        raise ValueError(f"No synthetic ID number left for {born:%Y-%m-%d} ({male=}).")

    def phone(self) -> str:
        self._next_phone += 1
        if self._next_phone > 9999:
            raise ValueError("The synthetic phone block 130-0000-xxxx is exhausted.")
        return f"{PHONE_PREFIX}{self._next_phone:04d}"
