"""一优五减 arithmetic (domain.md §5.1): the report's figures and the edge cases."""

from __future__ import annotations

import pytest

from stations.domain.catalog_metrics import CatalogMetrics, catalog_metrics, ratio


def test_report_figures_over_the_555_item_catalogue():
    metrics = catalog_metrics(
        item_count=555,
        statutory_days_total=11448,
        promised_days_total=1070,
        one_visit_count=552,
        zero_visit_count=142,
        instant_count=353,
    )
    assert metrics == CatalogMetrics(
        item_count=555,
        statutory_days_total=11448,
        promised_days_total=1070,
        days_saved=10378,
        compression_ratio=0.9065,
        one_visit_ratio=0.9946,
        zero_trip_ratio=0.2559,
        instant_ratio=0.6360,
    )


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (10378, 11448, 0.9065),  # 0.906534...
        (552, 555, 0.9946),  # 0.994594...
        (353, 555, 0.636),  # 0.636036...
        (18131, 20000, 0.9066),  # exactly 0.90655: half-up, where float rounding gives 0.9065
        (1, 3, 0.3333),
        (2, 3, 0.6667),
        (0, 7, 0.0),
        (7, 7, 1.0),
    ],
)
def test_ratio_rounds_half_up_to_four_places(numerator, denominator, expected):
    assert ratio(numerator, denominator) == expected


def test_float_rounding_would_differ_on_an_exact_tie():
    assert round(18131 / 20000, 4) == 0.9065  # why ratio() uses Decimal
    assert ratio(18131, 20000) == 0.9066


def test_empty_set_has_no_ratios():
    metrics = catalog_metrics(
        item_count=0,
        statutory_days_total=0,
        promised_days_total=0,
        one_visit_count=0,
        zero_visit_count=0,
        instant_count=0,
    )
    assert metrics.days_saved == 0
    assert metrics.compression_ratio is None
    assert metrics.one_visit_ratio is None
    assert metrics.zero_trip_ratio is None
    assert metrics.instant_ratio is None


def test_instant_only_items_have_no_compression_when_no_statutory_limit():
    metrics = catalog_metrics(
        item_count=4,
        statutory_days_total=0,
        promised_days_total=0,
        one_visit_count=4,
        zero_visit_count=2,
        instant_count=4,
    )
    assert metrics.compression_ratio is None
    assert (metrics.one_visit_ratio, metrics.zero_trip_ratio, metrics.instant_ratio) == (1.0, 0.5, 1.0)


@pytest.mark.parametrize(
    "overrides",
    [
        {"item_count": -1},
        {"instant_count": 11},
        {"one_visit_count": 11},
        {"zero_visit_count": 6, "one_visit_count": 5},
    ],
)
def test_inconsistent_counts_are_refused(overrides):
    counts = {
        "item_count": 10,
        "statutory_days_total": 100,
        "promised_days_total": 10,
        "one_visit_count": 5,
        "zero_visit_count": 1,
        "instant_count": 5,
    }
    counts.update(overrides)
    with pytest.raises(ValueError):
        catalog_metrics(**counts)
