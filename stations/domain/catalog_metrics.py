"""The catalogue-level 一优五减 figures (domain.md §5.1), from counts and sums computed in SQL.

Pure arithmetic: the caller aggregates over whatever subset of the catalogue it means
(all items, one station's scope, one department) and passes the totals in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATIO_PLACES = 4
_QUANTUM = Decimal(1).scaleb(-RATIO_PLACES)  # 0.0001


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` rounded half-up to 4 places, or None when the denominator is 0.

    Decimal division (28 significant digits) then half-up rounding, so an exact tie such as
    0.90655 gives 0.9066, where float rounding would depend on the binary representation.
    """
    if denominator == 0:
        return None
    value = (Decimal(numerator) / Decimal(denominator)).quantize(_QUANTUM, rounding=ROUND_HALF_UP)
    return float(value)


@dataclass(frozen=True)
class CatalogMetrics:
    """The 一优五减 figures of a set of items; ratios are fractions (0.9065 = 90.65%) or None."""

    item_count: int
    statutory_days_total: int
    promised_days_total: int
    days_saved: int
    compression_ratio: float | None
    one_visit_ratio: float | None
    zero_trip_ratio: float | None
    instant_ratio: float | None


def catalog_metrics(
    *,
    item_count: int,
    statutory_days_total: int,
    promised_days_total: int,
    one_visit_count: int,
    zero_visit_count: int,
    instant_count: int,
) -> CatalogMetrics:
    """The figures of domain.md §5.1 for a set of items.

    - compression = (Σ statutory − Σ promised) / Σ statutory (压缩比);
    - one-visit = items needing at most one visit / items (最多跑一次);
    - zero-trip = items needing no visit / items (零跑动);
    - instant = 即办件 / items.

    :raise ValueError: when a count is negative or a part exceeds the item count.
    """
    counts = (item_count, statutory_days_total, promised_days_total, one_visit_count, zero_visit_count, instant_count)
    if min(counts) < 0:
        raise ValueError("counts and sums must not be negative")
    if max(one_visit_count, zero_visit_count, instant_count) > item_count:
        raise ValueError("a subset count exceeds the item count")
    if zero_visit_count > one_visit_count:
        raise ValueError("zero-visit items are a subset of at-most-one-visit items")
    saved = statutory_days_total - promised_days_total
    return CatalogMetrics(
        item_count=item_count,
        statutory_days_total=statutory_days_total,
        promised_days_total=promised_days_total,
        days_saved=saved,
        compression_ratio=ratio(saved, statutory_days_total),
        one_visit_ratio=ratio(one_visit_count, item_count),
        zero_trip_ratio=ratio(zero_visit_count, item_count),
        instant_ratio=ratio(instant_count, item_count),
    )
