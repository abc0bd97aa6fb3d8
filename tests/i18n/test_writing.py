"""Chinese UI strings use full-width punctuation (GB/T 15834), checked on the catalogue.

The rule lives in ``scripts/fullwidth_punctuation.py`` (the codemod that fixes what this test
finds): a half-width ``, : ; ! ? ( )`` next to a Chinese character or full-width mark is an
error; placeholders (%(name)s, {0}), URLs, times (09:30), numbers (1,000) and code-like tokens
are allowed because they are not adjacent to Chinese text.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "stations" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _rule():
    spec = importlib.util.spec_from_file_location(
        "fullwidth_punctuation", ROOT / "scripts" / "fullwidth_punctuation.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rule_fixes_chinese_and_spares_code_times_and_numbers():
    fix = _rule().fix
    assert fix("表头应为: %(headers)s") == "表头应为：%(headers)s"
    assert fix("请核对(18 位,含校验位)。") == "请核对（18 位，含校验位）。"
    assert fix("已创建账号 %(name)s,首次登录") == "已创建账号 %(name)s，首次登录"
    assert fix("enterprise_uscc(企业)") == "enterprise_uscc（企业）"
    kept = "09:30 开始 1,000 人 https://x.cn/a?b=1 %(n)s {0}"
    assert fix(kept) == kept
    assert fix("年份(暂定):") == "年份（暂定）："
    assert fix(fix("无效(XK/QR),请改")) == fix("无效(XK/QR),请改") == "无效（XK/QR），请改"


def test_catalogue_msgids_use_full_width_punctuation_next_to_chinese():
    rule = _rule()
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    wrong = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wrong += [f"{i!r} -> {rule.fix(i)!r}" for i in ids if i and rule.violations(i)]
    assert not wrong, "half-width punctuation next to Chinese (run scripts/fullwidth_punctuation.py):\n" + "\n".join(
        wrong
    )
