"""Chinese labels (gettext msgids) for the catalogue's enums, shown on pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import ItemType, OnlineMode

ITEM_TYPE_LABELS = {
    ItemType.XK: _l("行政许可"),
    ItemType.QR: _l("行政确认"),
    ItemType.JF: _l("行政给付"),
    ItemType.CJ: _l("行政裁决"),
    ItemType.JL: _l("行政奖励"),
    ItemType.QT: _l("其他行政权力"),
    ItemType.GG: _l("公共服务"),
}

ONLINE_MODE_LABELS = {
    OnlineMode.FULL_ONLINE: _l("全程网办"),
    OnlineMode.ONLINE_PRE_REVIEW: _l("网上预审"),
    OnlineMode.OFFLINE: _l("线下办理"),
}

# 即办件 / 承诺件 (domain.md §2.3 case_type), keyed by ServiceItem.is_instant.
CASE_TYPE_LABELS = {True: _l("即办件"), False: _l("承诺件")}

MATERIAL_FORM_LABELS = {
    "ORIGINAL": _l("原件"),
    "COPY": _l("复印件"),
    "ORIGINAL_CHECK": _l("原件核验"),
}
