"""Damage inside words: 一 read as a dash, stray full stops and spaces, doubled characters, and
characters or words commonly written wrong."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

from .context import Context
from .finding import ERROR, WARNING, Finding
from .text import CN_PUNCT, HAN, is_han

# --- 一 damaged into a hyphen or dash -------------------------------------------------------------
DASHES = "-‐‑‒–—―－ー─━"
# Words containing 一; a dash standing where one of their 一 would complete the word is damage.
# A dash between characters that forms none of them (北京—上海, a connector) is left alone.
YI_WORDS = [
    "一是",
    "一要",
    "一抓",
    "一方面",
    "另一方面",
    "一手",
    "一手抓",
    "一把手",
    "一岗双责",
    "一票否决",
    "一线",
    "第一",
    "统一",
    "进一步",
    "唯一",
    "一致",
    "一体",
    "一体化",
    "一律",
    "一切",
    "一起",
    "一道",
    "一批",
    "一项",
    "一次",
    "一系列",
    "一般",
    "一定",
    "一直",
    "一贯",
    "一些",
    "一样",
    "一旦",
    "一同",
    "一再",
    "一概",
    "一并",
    "一举",
    "一揽子",
    "一盘棋",
    "一张蓝图",
    "一以贯之",
    "一心一意",
    "一环",
    "一流",
    "一级",
    "一年",
    "一季度",
    "一期",
    "一轮",
    "一届",
    "一名",
    "一位",
    "一个",
    "一份",
    "一篇",
    "一条",
    "一件",
    "一场",
    "一支",
    "一种",
    "一类",
    "一段",
    "一部分",
    "一带一路",
    "一国两制",
    "一站式",
    "一网通办",
    "同一",
    "单一",
    "逐一",
    "划一",
    "合一",
    "专一",
    "万一",
    "之一",
    "其一",
    "一方",
    "一员",
    "一度",
    "一向",
    "一面",
    "一齐",
    "一共",
    "一心",
    "一时",
    "一步",
    "一层",
    "一周",
    "一号",
    "一抓到底",
    "一刀切",
    "一丝不苟",
    "一鼓作气",
    "一往无前",
    "一马当先",
    "一如既往",
    "一目了然",
    "一脉相承",
    "一针见血",
    "一言一行",
    "一举一动",
    "一点一滴",
    "一视同仁",
    "一劳永逸",
    "一蹴而就",
    "一成不变",
    "一以贯之",
    "大一统",
    "第一书记",
    "第一责任人",
    "第一时间",
    "第一议题",
    "十一",
    "一九",
    "一〇",
    "二〇一",
    "一月",
    "一日",
    "一览",
    "一览表",
    "一对一",
    "一户一策",
    "一事一议",
    "一企一策",
    "一村一品",
    "一人一档",
    "一案一档",
    "一单位一",
    "一本账",
    "一张表",
    "一把尺子",
    "一肩挑",
    "一班人",
    "一号文件",
]

# Patterns start with the rare character they look for (never with a look-behind), so the regular
# expression engine skips ordinary Chinese text at C speed; the context is checked in Python.
_DASH_RE = re.compile(f"[{DASHES}][{DASHES}]*")  # a leading class lets the engine skip ahead
_NUMERALS = "〇零一二三四五六七八九十百千万"


@cache
def _yi_index() -> dict[str, tuple[tuple[int, str], ...]]:
    """Words by a neighbour of their 一 ("<统" for the character before it, ">步" after it):
    (position of 一 in the word, word), longest words first."""
    return _neighbour_index(YI_WORDS)


def _neighbour_index(words: Iterable[str]) -> dict[str, tuple[tuple[int, str], ...]]:
    index: dict[str, set[tuple[int, str]]] = {}
    for w in words:
        for i, ch in enumerate(w):
            if ch != "一":
                continue
            if i:
                index.setdefault("<" + w[i - 1], set()).add((i, w))
            if i + 1 < len(w):
                index.setdefault(">" + w[i + 1], set()).add((i, w))
    return {k: tuple(sorted(v, key=lambda p: -len(p[1]))) for k, v in index.items()}


def yi_dash(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    # characters that earlier fixes turn into 一 (1 → 一): the dash beside them is read as beside 一
    yi_fixed = {f.start: f.suggestion for f in ctx.earlier if f.suggestion == "一" and f.end - f.start == 1}
    for m in _DASH_RE.finditer(text):
        if m.end() - m.start() != 1:
            continue  # —— is a dash, -- a damaged one (punct-form)
        p = m.start()
        left = text[p - 1] if p else ""
        right = text[p + 1] if p + 1 < n else ""
        left = yi_fixed.get(p - 1, left)
        right = yi_fixed.get(p + 1, right)
        if not (is_han(left) or is_han(right)) or ctx.protected.covers(p):
            continue
        if (left == "一" and is_han(right) and right not in _NUMERALS) or (
            right == "一" and is_han(left) and left not in _NUMERALS + "第"
        ):
            # the 一 is there and right; the dash beside it is the stray (统一-部署, 统-一部署)
            yield Finding("yi-dash", p, p + 1, text[p], "", "“一”旁多出连字符或破折号，应删除")
            continue
        index = _yi_index()
        for k, word in index.get("<" + left, ()) + index.get(">" + right, ()):
            start = p - k
            if start < 0 or start + len(word) > n:
                continue
            window = text[start : start + len(word)]
            if window[:k] == word[:k] and window[k + 1 :] == word[k + 1 :]:
                yield Finding(
                    "yi-dash", p, p + 1, text[p], "一",
                    f"“{word}”中的“一”被误作“{text[p]}”（常见于从网页、PDF 复制的文字）",
                )  # fmt: skip
                break


# --- Stray full stops and spaces ------------------------------------------------------------------
_STRAY_STOP = re.compile(f"[.．](?=[{HAN}])")


# a dot after a count (12次.) or before a clause's opening words (……精神.同时) ends a sentence
_COUNT_BEFORE = re.compile(r"\d(?:次|人|个|件|场|篇|项|期|名|家|处|条|万元|亿元|人次|场次)$")
_CLAUSE_AFTER = ("同时", "此外", "另外", "全年", "今年", "各级", "各单位", "各支部", "我局", "我们", "一是", "二是",
                 "三是", "首先", "其次", "第一时间")  # fmt: skip


def stray_stop(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    for m in _STRAY_STOP.finditer(text):
        if not m.start() or not is_han(text[m.start() - 1]):
            continue
        p = m.start()
        if _COUNT_BEFORE.search(text, max(0, p - 4), p) or text.startswith(_CLAUSE_AFTER, p + 1):
            yield Finding("halfwidth", p, p + 1, m.group(), "。", "句子之间应使用句号“。”")
            continue
        yield Finding(
            "missing-text", m.start(), m.end(), m.group(), None,
            "汉字之间夹有点号：疑为删去文字后留下的记号（此处缺字），或应为句号“。”，需人工确认", WARNING,
        )  # fmt: skip


SPACES = " \u3000\u00a0\u2002\u2003\u2009\u200a"
_SPACE_RUN = re.compile(f"[{SPACES}][{SPACES}]*")
_HALF_MARKS = ",;:?!()"


def _mark_side(ch: str) -> bool:
    # not a dash or an ellipsis: a space beside them is often layout, and a dash is yi-dash's
    return (ch in CN_PUNCT or ch in _HALF_MARKS) and bool(ch) and ch not in "—…"


_SPACED_NUMBER = re.compile(f"\\d+(?:[{SPACES}]+\\d+)*")
_LINE_TOKENS = re.compile(f"[^{SPACES}]+")


def _spaced_layout(line: str) -> bool:
    """Spaces that are layout, not damage: a short title spread out (通　　知) or a list of names
    or units separated by spaces (出席：张明 李华 王芳; 张明 李华 王芳 赵强)."""
    body = line.strip(SPACES)
    tokens = _LINE_TOKENS.findall(body)
    if 2 <= len(tokens) <= 4 and all(len(t) == 1 for t in tokens):
        return True
    if len(tokens) == 2 and len(tokens[0]) == len(tokens[1]) >= 4 and all(map(is_han, body.replace(" ", ""))):
        return True  # a two-part title in parallel halves: 凝心聚力抓落实 务实笃行促发展
    labelled = re.split("[：:]", body)
    if len(labelled) > 1:
        items = _LINE_TOKENS.findall(labelled[-1])
        return len(items) >= 2 and all(2 <= len(t.rstrip("，。；、")) <= 6 for t in items)
    return len(tokens) >= 3 and all(2 <= len(t) <= 4 and all(map(is_han, t)) for t in tokens)


def spaces(ctx: Context) -> Iterator[Finding]:
    """Spaces between Chinese characters (学 习), between digits and Chinese (2023 年, 15 次) and
    inside a number just before its unit (20 23年), each run of spaces one finding."""
    text = ctx.text
    n = len(text)
    layout: dict[int, bool] = {}

    def is_layout(pos: int) -> bool:
        line_start = text.rfind("\n", 0, pos) + 1
        if line_start not in layout:
            line_end = text.find("\n", pos)
            layout[line_start] = _spaced_layout(text[line_start : line_end if line_end >= 0 else n])
        return layout[line_start]

    becomes_cn: set[int] | None = None
    for m in _SPACE_RUN.finditer(text):
        s, e = m.start(), m.end()
        if not s or e >= n:
            continue
        prev, nxt = text[s - 1], text[e]
        if not (is_han(prev) and is_han(nxt)):
            # a neighbour an earlier fix turns into a character (-次 → 一次) counts as one
            if becomes_cn is None:
                becomes_cn = ctx.after_fixes()[0]
            if s - 1 in becomes_cn:
                prev = "一"
            if e in becomes_cn:
                nxt = "一"
        if is_han(prev) and is_han(nxt):
            if not is_layout(s):
                yield Finding("space", s, e, m.group(), "", "汉字之间有多余的空格，应删除")
        elif (is_han(prev) and _mark_side(nxt)) or (
            is_han(nxt) and _mark_side(prev) and prev not in "。！？"
        ):
            # a Chinese mark beside a character (，　广泛 · 》　等 · 利用　“), or a half-width one that
            # halfwidth turns into a Chinese mark: the space is never right in Chinese text
            if not is_layout(s) and not ctx.protected.overlaps(s - 1, e + 1):
                yield Finding("space", s, e, m.group(), "", "中文标点前后有多余的空格，应删除")
        elif (is_han(prev) and nxt.isdigit()) or ((prev.isdigit() or prev == "%") and is_han(nxt)):
            if not ctx.protected.overlaps(s - 1, e + 1) and not is_layout(s):
                yield Finding("space", s, e, m.group(), "", "数字与汉字之间不应有空格")
        elif (
            prev.isdecimal()
            and nxt.isdecimal()
            and _number_split_before_unit(ctx, s, becomes_cn)
            and not ctx.protected.overlaps(s - 1, e + 1)
        ):
            yield Finding("space", s, e, m.group(), "", "数字中间有多余的空格，应删除")


def _number_split_before_unit(ctx: Context, s: int, becomes_cn: set[int] | None) -> bool:
    """The space at s splits a number (20 23, 12 345 678) right before the unit it counts; decimal
    digits only, as the expression's \\d (² is a digit to str.isdigit, not to \\d). Thousands
    grouped as GB/T 15835 allows (12 345) are right."""
    text, n = ctx.text, len(ctx.text)
    a = s
    while a and (text[a - 1].isdecimal() or text[a - 1] in SPACES):
        a -= 1
    while not text[a].isdecimal():
        a += 1
    number = _SPACED_NUMBER.match(text, a)
    assert number is not None
    k = number.end()
    while k < n and text[k] in SPACES:
        k += 1  # 20 23 年: the space before the unit is its own finding
    if becomes_cn is None:
        becomes_cn = ctx.after_fixes()[0]
    if k >= n or not (is_han(text[k]) or text[k] == "%" or k in becomes_cn):
        return False  # only a number broken right before the unit it counts
    groups = number.group().split()
    return not (all(len(g) == 3 for g in groups[1:]) and sum(map(len, groups)) >= 5)


# --- Doubled characters ---------------------------------------------------------------------------
# Function characters whose doubling is a slip of the keyboard, with the neighbours that make the
# pair legitimate: (characters that may precede, characters that may follow).
DOUBLED = {
    "的": ("目标", "确"),  # 目的的, 标的的, 的的确确
    "了": ("", "解之然分"),  # 为了了解, 不了了之, 了了分明
    "是": ("但还就总可于要凡而不只正倒像或硬真老算都也便乃却即亦仍皆实确若先更特尤光", "否非"),
    "在": ("现存正实所好自内外潜旨志意", "在"),
    "和": ("温柔总调缓平饱暖", "美气睦"),
    "与": ("参给赠授干赋", "否"),
    "并": ("合兼吞归", "肩入"),
    "就": ("成造迁将早也", ""),
    "都": ("首成京古国建定迁", ""),
    "及": ("以涉普危企遍顾论来", "时早"),
    "从": ("服听随顺盲", ""),
    "把": ("一", ""),
    "也": ("", ""),
    "又": ("", ""),
    "而": ("", ""),
    "被": ("棉", ""),
    "让": ("转出", ""),
}
_DOUBLED = re.compile("([" + "".join(DOUBLED) + "])\\1+")


def doubled(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    for m in _DOUBLED.finditer(text):
        ch, s, e = m.group(1), m.start(), m.end()
        before_ok, after_ok = DOUBLED[ch]
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < len(text) else ""
        if e - s == 2 and ((prev and prev in before_ok) or (nxt and nxt in after_ok)):
            continue
        # AABB reduplication: 实实在在, 的的确确, 是是非非
        if e - s == 2 and (
            (s >= 2 and text[s - 2] == prev and is_han(prev))
            or (nxt and text[e + 1 : e + 2] == nxt and is_han(nxt))
        ):
            continue
        yield Finding("doubled", s, e, m.group(), ch, f"“{ch}”字重复", WARNING if e - s == 2 else ERROR)


# --- Common wrong characters and words ------------------------------------------------------------
_SENTENCE_END = re.compile("[。；！？\n]")


# the commonest two-character words of official text: no entry is looked for by one of them
COMMON_BIGRAMS = frozenset((
    "工作", "意识", "落实", "开展", "组织", "坚持", "思想", "宣传", "推进", "第一", "完成", "中心", "人民", "安全", "阵地", "建设", "发展", "党的",
    "领导", "加强", "全面", "政治", "学习", "群众", "管理", "服务", "责任", "主体", "制度", "社会", "主义", "国家", "中国", "经济", "基层", "干部",
    "党员", "实施", "推动", "提高", "提升", "深入", "认真", "问题", "情况", "要求", "部署", "贯彻", "会议", "精神", "重要", "活动", "教育", "生活",
    "民主", "检查", "监督", "形式", "单位", "部门", "我们", "以来", "今年", "全县", "全年", "为民", "党风", "党性", "党中", "党组", "党委", "人民",
    "文明", "新时", "时代", "高质", "质量", "中央", "从严", "治党", "理论", "群众", "主题"
))  # fmt: skip


class Confusions:
    """The confusion list (data/confusions.tsv, written for this project): wrong, right, the
    longer correct strings that contain the wrong one (自己经常 holds 己经), and characters whose
    presence later in the sentence makes the wrong form right (既使……又…… is not 即使)."""

    def __init__(self, lines: list[str]) -> None:
        self.entries: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.unless_followed: dict[str, str] = {}
        self.reasons: dict[str, str] = {}  # why the entry is there: its own column, else its section
        section = ""
        for raw in lines:
            line = raw.strip("\r\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                section = line.lstrip("# ").strip()
                continue
            parts = line.split("\t")
            self.reasons[parts[0]] = parts[4] if len(parts) > 4 and parts[4] else section
            wrong, right = parts[0], parts[1]
            exceptions = tuple(x for x in (parts[2].split("，") if len(parts) > 2 else []) if x)
            self.entries[wrong] = (right, exceptions)
            if len(parts) > 3 and parts[3]:
                self.unless_followed[wrong] = parts[3]
        # where to look for an entry: one of its two-character pieces (its anchor), the first that
        # is not among the commonest words of official text (工作, 落实: an entry 工作义务制 is
        # looked for at 义务). The anchors' first characters with one of their second characters,
        # in four groups each with the union of their second characters, keep the expression short
        # for the engine (which tries alternatives one by one) and leave Python few positions
        anchored: dict[str, list[tuple[int, str]]] = {}
        for w in self.entries:
            k = next((i for i in range(len(w) - 1) if w[i : i + 2] not in COMMON_BIGRAMS), 0)
            anchored.setdefault(w[k : k + 2], []).append((k, w))
        self.anchored = anchored
        by_two: dict[str, set[str]] = {}
        for bigram in anchored:
            by_two.setdefault(bigram[0], set()).add(bigram[1])
        items = sorted(by_two.items(), key=lambda kv: "".join(sorted(kv[1])))
        size = -(-len(items) // 4)
        groups = [items[i : i + size] for i in range(0, len(items), size)]
        self.first = re.compile(
            "|".join(
                "[" + re.escape("".join(a for a, _ in g)) + "](?=["
                + re.escape("".join(sorted(set().union(*(b for _, b in g))))) + "])"
                for g in groups
            )
        )  # fmt: skip

    def _candidates(self, text: str) -> list[tuple[int, int, str]]:
        """(start, -length, wrong) of every entry present, in text order, longest first."""
        found = []
        anchored = self.anchored
        for m in self.first.finditer(text):
            q = m.start()
            for k, wrong in anchored.get(text[q : q + 2], ()):
                if q >= k and text.startswith(wrong, q - k):
                    found.append((q - k, -len(wrong), wrong))
        found.sort()
        return found

    def find(self, text: str) -> Iterator[tuple[int, str, str]]:
        last_end = 0
        for p, _, wrong in self._candidates(text):
            if p < last_end:
                continue
            right, exceptions = self.entries[wrong]
            if any(self._inside(text, p, wrong, ex) for ex in exceptions):
                continue
            if wrong in self.unless_followed and self._followed(
                text, p + len(wrong), self.unless_followed[wrong]
            ):
                continue
            yield p, wrong, right
            last_end = p + len(wrong)

    @staticmethod
    def _followed(text: str, start: int, chars: str) -> bool:
        sentence = _SENTENCE_END.split(text[start : start + 60], 1)[0]
        return any(c in sentence for c in chars)

    @staticmethod
    def _inside(text: str, p: int, wrong: str, longer: str) -> bool:
        offset = longer.find(wrong)
        while offset >= 0:
            if text.startswith(longer, p - offset):
                return True
            offset = longer.find(wrong, offset + 1)
        return False


@cache
def confusions() -> Confusions:
    data = resources.files("taizhang.proofread").joinpath("data/confusions.tsv").read_text("utf-8")
    return Confusions(data.splitlines())


def confusion(ctx: Context) -> Iterator[Finding]:
    table = confusions()
    for p, wrong, right in table.find(ctx.text):
        reason = table.reasons.get(wrong, "")
        why = f"：{reason}" if reason and "同上" not in reason and len(reason) > 6 else ""
        yield Finding("confusion", p, p + len(wrong), wrong, right, f"“{wrong}”应为“{right}”{why}")


# --- 一 turned into the digit 1 -------------------------------------------------------------------
# Words whose 一 is part of the word, not a count: 1 in them is OCR or a rewriting tool's damage.
# Counting words (一个, 一次, 一年) are left out: 1个, 1次 are correct Arabic numerals.
YI_DIGIT_WORDS = [
    "第一线", "一线", "进一步", "一岗双责", "第一责任人", "第一时间", "第一书记", "第一议题", "第一要务",
    "第一生产力", "第一动力", "第一资源", "统一", "唯一", "一致", "一体化", "一体", "一律", "一切",
    "一系列", "一如既往", "一以贯之", "一盘棋", "一把手", "一手抓", "一票否决", "一抓到底", "一网通办",
    "一站式", "一揽子", "一带一路", "一国两制", "一心一意", "一丝不苟", "一鼓作气", "一往无前", "一马当先",
    "一脉相承", "一针见血", "一视同仁", "一蹴而就", "一张蓝图", "一刀切", "一方面", "另一方面", "同一",
    "逐一", "之一", "一旦", "一再", "一贯", "一并", "一直", "一定",
    "一般", "一些", "一样", "一流", "一肩挑", "一班人", "一户一策", "一事一议", "一村一品", "一对一",
    "一是",
]  # fmt: skip
_ONE = re.compile(r"1")
CN_DIGIT = "〇一二三四五六七八九"
# 十九大 read as 109大 (十 → 1, 九 → 9): a congress or plenary session with a two-digit Arabic number
_CONGRESS = re.compile(
    f"10?([1-9])(?:大(?=精神|以来|报告|代表|召开|胜利|和|、|，)|届(?=[{CN_DIGIT}1-9]中全会))"
)


@cache
def _one_index() -> dict[str, tuple[tuple[int, str], ...]]:
    return _neighbour_index(YI_DIGIT_WORDS)


def yi_digit(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    index = _one_index()
    for m in _ONE.finditer(text):
        p = m.start()
        left = text[p - 1] if p else ""
        right = text[p + 1] if p + 1 < n else ""
        if left.isdigit() or right.isdigit() or (left and left in ".．-") or (right and right in ".．%"):
            if right.isdigit() and left != "1":
                c = _CONGRESS.match(text, p)
                if c and (not left or is_han(left)):
                    fixed, q = "十" + CN_DIGIT[int(c.group(1))], c.start(1) + 1
                    yield Finding(
                        "yi-digit", p, q, text[p:q], fixed,
                        f"“{fixed}”被误作阿拉伯数字“{text[p:q]}”（常见于识别或改写工具）",
                    )  # fmt: skip
            continue
        if not (is_han(left) or is_han(right)) or ctx.protected.covers(p):
            continue
        for k, word in index.get("<" + left, ()) + index.get(">" + right, ()):
            start = p - k
            if start < 0 or start + len(word) > n:
                continue
            window = text[start : start + len(word)]
            if window[:k] == word[:k] and window[k + 1 :] == word[k + 1 :]:
                yield Finding(
                    "yi-digit", p, p + 1, "1", "一", f"“{word}”中的“一”被误作数字“1”（常见于识别或改写工具）"
                )
                break


# --- Collocations a 伪原创 swap breaks ---------------------------------------------------------------
# 增强 goes with a quality (增强针对性, 增强凝聚力); 伪原创 tools swap it for 增加, which goes with an
# amount. 提高 goes with a level (提高服务水平); 增强/加强……水平 is the classic 搭配不当.
QUALITIES = (
    "政治性",
    "原则性",
    "时代性",
    "战斗性",
    "针对性",
    "实效性",
    "时效性",
    "有效性",
    "系统性",
    "整体性",
    "协同性",
    "预见性",
    "创造性",
    "主动性",
    "自觉性",
    "坚定性",
    "纯洁性",
    "先进性",
    "科学性",
    "规范性",
    "权威性",
    "凝聚力",
    "战斗力",
    "向心力",
    "组织力",
    "意识",
)  # fmt: skip  (吸引力, 影响力, 获得感 go with 增加 in ordinary use too)
_COLLOCATION = re.compile("增加|增强|加强")
_QUALITY_AFTER = re.compile(f"[^，。；：！？\n]{{0,14}}?(?:{'|'.join(QUALITIES)})(?=[、，。；和与及]|$)")
_RAISE = re.compile("提高|提升|提档|升级|和|与|及")  # 加强和提高服务水平: the level has its own verb
_LEVEL_AFTER = re.compile(f"[{HAN}“”]{{0,10}}?水平(?=[，。；、]|$)")


def collocations(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    for m in _COLLOCATION.finditer(text):
        s, e = m.start(), m.end()
        verb = m.group()
        window = text[e : e + 18]
        if (
            verb == "增加"
            and ("性" in window or "力" in window or "意识" in window)
            and _QUALITY_AFTER.match(text, e)
        ):
            yield Finding(
                "collocation", s, e, verb, "增强",
                "“增加”与“……性”“……力”“……意识”搭配不当，应为“增强”（常见于伪原创改写）",
            )  # fmt: skip
        elif (
            verb != "增加"
            and "水平" in window
            and (level := _LEVEL_AFTER.match(text, e))
            and not _RAISE.search(level.group())
        ):
            yield Finding("collocation", s, e, verb, "提高", f"“{verb}……水平”搭配不当，应为“提高……水平”")
