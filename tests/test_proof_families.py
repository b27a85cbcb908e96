"""Issue 16, the families real copied 公文 carries beyond the first list: collocations a 伪原创 swap
breaks, list marks lost between items, 的 where an adverbial needs 地, a heading run into its body
with nothing between, and quotations of several paragraphs (which open every paragraph)."""

from __future__ import annotations

import pytest

from taizhang.proofread import apply, check


def _found(text: str) -> list[tuple[str, str, str | None]]:
    return [(f.rule, f.text, f.suggestion) for f in check(text)]


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("不断增加组织生活的政治性和原则性。", "不断增强组织生活的政治性和原则性。"),
        ("进一步增加了党组织的凝聚力。", "进一步增强了党组织的凝聚力。"),
        ("着力加强窗口服务水平。", "着力提高窗口服务水平。"),
        ("要自觉的走好群众路线。", "要自觉地走好群众路线。"),
        ("全面提升便民效劳能力。", "全面提升便民服务能力。"),
        ("发挥工会妇联的作用。", "发挥工会、妇联的作用。"),
        ("学习全会精神习近平总书记重要讲话。", "学习全会精神、习近平总书记重要讲话。"),
    ],
)
def test_swapped_words_and_lost_list_marks_are_fixed(text, fixed):
    assert apply(text, check(text)) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "帮助农民增加收入，增加了活动的吸引力。",
        "持续加强和提高服务水平。",
        "有的做好了，有的还没有做好。",
        "为国效劳是他一生的追求。",
        "共青团委员会、共青团团委和县总工会联合举办。",
        "深入学习习近平总书记重要讲话精神。",
        "（一）坚持按照程序办事，严格执行制度。",
        "一、加强组织领导，根据上级要求成立领导小组。",
    ],
)
def test_the_right_forms_beside_them_are_left_alone(text):
    assert _found(text) == []


def test_a_heading_run_into_its_body_gets_its_break_back():
    text = "（二）健全工作机制，压实工作责任按照“谁主管谁负责”的原则，层层签订责任书。"
    [f] = check(text)
    assert (f.rule, f.suggestion) == ("space-break", "\n按")
    assert apply(text, [f]).startswith("（二）健全工作机制，压实工作责任\n按照")


def test_a_quotation_of_several_paragraphs_opens_each_and_closes_the_last():
    quoted = "他指出：\n“第一段话，讲成绩。\n“第二段话，讲问题。\n“第三段话，讲打算。”\n"
    assert _found(quoted) == []
    # a single paragraph that opens a quote and never closes it is still an orphan
    assert [r for r, *_ in _found("要坚决防止“模板化，确保实效。")] == ["pair-unbalanced"]
