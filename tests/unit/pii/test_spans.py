"""Span merging: deterministic, non-overlapping, idempotent (Hypothesis properties)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pledge.pii import LABELS, Span, merge_spans

spans = st.builds(
    lambda start, length, label, score: Span(start, start + length, label, score),
    st.integers(0, 200),
    st.integers(1, 30),
    st.sampled_from(LABELS),
    st.sampled_from([0.9, 1.0]),
)


@given(st.lists(spans, max_size=30))
def test_merge_output_sorted_non_overlapping_from_input(items: list[Span]) -> None:
    merged = merge_spans(items)
    assert merged == sorted(merged)
    assert all(a.end <= b.start for a, b in itertools.pairwise(merged))
    assert set(merged) <= set(items)


@given(st.lists(spans, max_size=30))
def test_merge_idempotent_and_order_independent(items: list[Span]) -> None:
    merged = merge_spans(items)
    assert merge_spans(merged) == merged
    assert merge_spans(reversed(items)) == merged


@given(st.lists(spans, max_size=30))
def test_every_input_span_is_kept_or_overlaps_a_kept_one(items: list[Span]) -> None:
    merged = merge_spans(items)
    assert all(any(s.overlaps(m) for m in merged) for s in items)


def test_longer_span_wins_then_label_priority() -> None:
    long_ = Span(0, 10, "STREET_ADDRESS")
    assert merge_spans([Span(2, 5, "PHONE"), long_]) == [long_]
    assert merge_spans([Span(0, 10, "PHONE"), Span(0, 10, "ACCOUNT_ID")]) == [
        Span(0, 10, "ACCOUNT_ID")
    ]


def test_invalid_offsets_rejected() -> None:
    with pytest.raises(ValueError, match="invalid span"):
        Span(5, 5, "EMAIL")


def test_a_span_made_or_changed_through_the_tuple_helpers_is_validated_too() -> None:
    span = Span(1, 4, "PERSON")
    assert span._replace(end=6) == Span(1, 6, "PERSON")
    with pytest.raises(ValueError, match="invalid span"):
        span._replace(end=0)
    with pytest.raises(ValueError, match="invalid span"):
        Span._make((5, 2, "PERSON", 1.0))
