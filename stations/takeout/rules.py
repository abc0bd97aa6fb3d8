"""Input rules of an order that are not the machine's: where a team can go, and a callable phone number.

Decision (the issue is silent on how to tell "inside the new city"): an address must name the new city or one of
its towns, parks or landmarks below. A team does not drive to another district; outside it the station offers
the enterprise an appointment, online service or an appeal instead.
"""

from __future__ import annotations

import re

NEW_CITY_PLACES = (
    "泾河新城",
    "泾河",
    "泾干",  # 泾干街道
    "永乐",  # 永乐镇
    "崇文",  # 崇文镇
    "高庄",  # 高庄镇
    "秦创原",
    "茯茶镇",
    "乐华城",
    "荟智",
    "原点",
    "泾阳",  # the new city's streets still carry 泾阳县 addresses
)
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def address_in_new_city(address: str) -> bool:
    return any(place in address for place in NEW_CITY_PLACES)


def valid_phone(phone: str) -> bool:
    return bool(_PHONE.match(phone.replace(" ", "")))
