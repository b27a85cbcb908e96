from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError


def character_classes(password: str) -> int:
    return sum(
        [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


class CharacterClassValidator:
    """At least N of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。"


class NotUsernameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_is_username")

    def get_help_text(self) -> str:
        return "不能包含用户名。"


class MinimumLengthValidator:
    """Django's own message lost its Chinese translation in 5.2; ours says it in Chinese."""

    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短：至少需要 {self.min_length} 个字符。", code="password_too_short")

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符。"


# --- Passwords common in China ----------------------------------------------------------------------
# Composed here from the patterns people actually use (no list copied from elsewhere): a word or
# name an attacker tries first, joined to a number an attacker tries first, decorated with case,
# symbols and look-alike characters. Django's own list (CommonPasswordValidator) holds the English
# ones; this one holds what a guesser in China starts with, and the product's own name.
_WORDS = """
password passwd passw pass pwd admin administrator root super superman user guest test tester
welcome login letmein master manager system sys server service default changeme secret qwerty
iloveyou love hello monkey dragon sunshine princess football baseball shadow
huawei xiaomi mi oppo vivo honor lenovo haier zte tencent qq weixin wechat wx alibaba ali taobao
alipay baidu jingdong jd sina sohu netease wangyi apple iphone samsung google microsoft windows
linux ubuntu oracle mysql cisco hp dell h3c ruijie sangfor
woaini woaiwo aini aiwo ainiyou wo ni nihao nihaoma mima zhanghao yonghu guanli guanliyuan
xitong zhongguo china beijing shanghai guangzhou shenzhen baobao bao laopo laogong lao xingfu
kuaile tiantian haha hehe xixi mama baba meimei gege jiejie didi qiqi lele
dangjian dangyuan dangwei dangzu zhibu shuji jijian lianzheng jiwei zuzhi xuanchuan gongzuo
qixiang tianqi
taizhang tz 台账 密码 我爱你 党建 管理员
zhang wang li liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo liang song
zheng xie han tang feng yu dong xiao cheng cao yuan deng fu shen zeng peng lu su jiang cai jia
ding wei xue ye yan pan du dai xia zhong tian ren fan fang shi yao tan liao zou xiong jin hao
kong bai cui kang mao qiu qin gu hou shao meng long wan duan lei qian yin chang qiao lai gong wen
ming hua jun qiang ping gang jie juan min jing ling yong hui hong fei bin
"""
# "qixiang" (气象) stays out although the sector uses it: too many real passphrases start with it.
COMMON_WORDS: frozenset[str] = frozenset(_WORDS.split()) - {"qixiang", "tianqi"}

# Sequences a finger or a counting habit produces: keyboard rows and columns, both directions.
_WALKS = (
    "1234567890",
    "0123456789",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "abcdefghijklmnopqrstuvwxyz",
)
_WALK_TEXT = "|".join(_WALKS + tuple(w[::-1] for w in _WALKS))

# Numbers with a meaning (520 我爱你, 1314 一生一世, 168 一路发, 888 发发发) or a shape on the keypad.
_NUMBERS = """
520 521 1314 5201314 1314520 168 518 666 888 999 147 258 369 147258 258369 147258369 159357
741852 963852 741852963 789456 456123 123123 112233 110 119 120 007
"""
COMMON_NUMBERS: frozenset[str] = frozenset(_NUMBERS.split())

# Look-alike characters, read as the letter they stand for when they sit inside a word.
_LEET = {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}


def _is_common_number(digits: str) -> bool:
    if len(digits) <= 2 or digits in COMMON_NUMBERS or len(set(digits)) == 1:
        return True
    if len(digits) == 4 and 1950 <= int(digits) <= 2030:  # a year: birth, entry, this one
        return True
    if len(digits) == 4 and 1 <= int(digits[:2]) <= 12 and 1 <= int(digits[2:]) <= 31:
        return True  # a birthday, mmdd
    if len(digits) == 8 and 1950 <= int(digits[:4]) <= 2030:
        return 1 <= int(digits[4:6]) <= 12 and 1 <= int(digits[6:]) <= 31  # yyyymmdd
    # a word of the number: a year with a birthday (19900101), repeated halves (123123)
    half = len(digits) // 2
    return len(digits) % 2 == 0 and digits[:half] == digits[half:] and _is_common_number(digits[:half])


def _is_piece(text: str) -> bool:
    """One piece an attacker's generator would produce on its own."""
    if text in COMMON_WORDS:
        return True
    if text.isdigit():
        return _is_common_number(text)
    if len(text) >= 2 and len(set(text)) == 1:  # aa, zzz
        return True
    if len(text) == 2:  # Ab, Cd: two letters in alphabet order, the shortest decoration
        return abs(ord(text[0]) - ord(text[1])) == 1 and text.isalpha()
    return len(text) >= 3 and text in _WALK_TEXT


def _made_of_pieces(text: str, max_pieces: int = 4) -> bool:
    """Whether `text` is at most `max_pieces` pieces end to end (shortest split, dynamic programming)."""
    n = len(text)
    best = [0] + [max_pieces + 1] * n  # best[i]: fewest pieces covering text[:i]
    for i in range(1, n + 1):
        for j in range(max(0, i - 24), i):
            if best[j] < best[i] - 1 and _is_piece(text[j:i]):
                best[i] = best[j] + 1
    return best[n] <= max_pieces


def _readings(password: str) -> set[str]:
    """The password as a guesser writes it down: lower case, symbols dropped, and once more with
    look-alike characters inside words read as letters (P@ssw0rd → password, Adm1n → admin)."""
    lower = password.lower()
    plain = "".join(c for c in lower if c.isalnum())
    readings = {plain}
    for one in ("i", "l"):
        chars = list(lower)
        for k, c in enumerate(chars):
            if c in _LEET and 0 < k < len(chars) - 1:
                left, right = chars[k - 1], lower[k + 1]
                if left.isalpha() and right.isalpha():
                    chars[k] = one if c in "1!" else _LEET[c]
        readings.add("".join(c for c in chars if c.isalnum()))
    return {r for r in readings if r}


def is_common_in_china(password: str) -> bool:
    return any(_made_of_pieces(r) for r in _readings(password[:64]))


class CommonInChinaValidator:
    """Refuses what a guesser tries first in China: common words, pinyin names and phrases, brand
    names, the product's name, keyboard walks, and 123456, years, birthdays and lucky numbers, in
    any case and with any symbols between (Huawei@123, Woaini@1314, Taizhang@2025, P@ssw0rd)."""

    def validate(self, password: str, user: Any = None) -> None:
        if is_common_in_china(password):
            raise ValidationError(
                "密码过于常见（常用词、拼音、品牌或本系统名称，加上键盘顺序、123456、年份、生日或吉利数字），"
                "容易被猜中，请换一个。",
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return "不能是常见密码（如 Admin@123、Woaini@1314、Taizhang@2025）。"
