"""Chinese interface text uses full-width punctuation (GB/T 15834, issue 19): the catalogue is checked, and the
rule itself (scripts/fullwidth_punctuation.py, which also fixes the sources) is table-tested."""

from __future__ import annotations

import pytest

from scripts.fullwidth_punctuation import catalogue_ids, fix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("办结（通过）", "办结（通过）"),
        ("导出菜单（xlsx）", "导出菜单（xlsx）"),
        ("办件已送达。请评价,每个办件只能评价一次", "办件已送达。请评价，每个办件只能评价一次"),
        ("您的评价: ", "您的评价："),
        ("吊销“%(name)s”的密钥？使用它", "吊销“%(name)s”的密钥？使用它"),
        ("只有部分日期的年份（按周一至周五补足，暂定）：", "只有部分日期的年份（按周一至周五补足，暂定）："),
        ("未找到该 token：本系统", "未找到该 token：本系统"),
        ("RQ 队列 %(name)s：排队 %(queued)s，运行中", "RQ 队列 %(name)s：排队 %(queued)s，运行中"),
        # Left alone: placeholders, ASCII brackets, times and thousands, English.
        ("剩 %(n)s 个工作日", "剩 %(n)s 个工作日"),
        ("请填写 http(s) 地址", "请填写 http(s) 地址"),
        ("上午 09:30 开始,共 1,000 人", "上午 09:30 开始，共 1,000 人"),
        ("Cases (open): 3", "Cases (open): 3"),
        ("{0} 条", "{0} 条"),
    ],
)
def test_the_rule(text, expected):
    assert fix(text) == expected
    assert fix(expected) == expected  # idempotent


def test_no_half_width_punctuation_next_to_chinese_in_the_catalogue():
    wrong = [msgid for msgid in catalogue_ids() if fix(msgid) != msgid]
    assert not wrong, (
        f"{len(wrong)} msgids use half-width punctuation next to Chinese; "
        "run `.venv/bin/python -m scripts.fullwidth_punctuation --apply`:\n" + "\n".join(wrong[:20])
    )
