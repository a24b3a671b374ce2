"""Visible checks judge an answer, not how it was computed: numpy scalars count as numbers."""

from __future__ import annotations

import numpy as np
import pytest

from msa_course.grading.checks import (
    expect_close,
    expect_equal,
    expect_not,
    expect_true,
    expect_type,
)


def test_numpy_scalars_are_their_python_values():
    expect_type(np.bool_(False), bool, name="claim")
    expect_type(np.int64(3), int, name="count")
    expect_close(np.float32(0.5), 0.5, name="share")
    expect_close(np.int64(7), 7, name="nodes")


def test_wrong_types_and_values_say_what_is_wrong():
    with pytest.raises(AssertionError, match="count: expected int, got a bool"):
        expect_type(True, int, name="count")
    with pytest.raises(AssertionError, match="share: 0.7 is too high"):
        expect_close(0.7, 0.5, name="share")
    with pytest.raises(AssertionError, match="share: you divided the wrong way"):
        expect_close(2.0, 0.5, name="share", hints={2.0: "you divided the wrong way"})
    with pytest.raises(AssertionError, match="nodes: expected a finite number"):
        expect_close(float("nan"), 3, name="nodes")
    with pytest.raises(AssertionError, match="order: platform comes second"):
        expect_equal(
            ("a", "c"), ("a", "b"), name="order", hints={("a", "c"): "platform comes second"}
        )
    with pytest.raises(AssertionError, match=r"order: \['b'\] is not right yet"):
        expect_equal(["b"], ["a"], name="order")
    with pytest.raises(AssertionError, match="flag: must be True"):
        expect_true(1, "must be True", name="flag")


def test_expect_not_names_a_typical_mistake_and_lets_anything_else_pass():
    mistakes = {6: "round up", "SaaS": "SaaS is the provider's application", (1, 2): "reversed"}
    with pytest.raises(AssertionError, match="servers: round up"):
        expect_not(np.float64(6.0000001), mistakes, name="servers")
    with pytest.raises(AssertionError, match="model: SaaS is"):
        expect_not("SaaS", mistakes, name="model")
    with pytest.raises(AssertionError, match="order: reversed"):
        expect_not([1, 2], mistakes, name="order")
    for other in (7, "PaaS", [2, 1], True, None, np.array([6, 6])):
        expect_not(other, mistakes, name="anything")  # the hidden tests judge these
    expect_not(1, {True: "a bool is not a number"}, name="count")
