"""The resource Score plugins over many nodes at once, with numpy.

The same arithmetic as plugins.py (Go's truncating division, `math.Round` half away from zero,
BalancedAllocation's float64 order of operations), on arrays indexed [resource, node]; the
cached Scheduler uses it to score a pod shape on every node in one pass.
"""

from __future__ import annotations

import numpy as np

from msa_course.orchestration.plugins import MAX_CUSTOM_PRIORITY_SCORE, MAX_NODE_SCORE, is_scalar
from msa_course.orchestration.scheduler.profile import Profile


def resource_scores(
    profile: Profile, arrays: dict, columns: dict[str, int], real: np.ndarray, scoring: np.ndarray
) -> np.ndarray:
    """Weighted total of NodeResourcesFit and BalancedAllocation on every node.

    `arrays` holds allocatable, requested (real) and non_zero (scoring defaults) per
    [resource, node]; `columns` maps a resource name to its row; `real` and `scoring` are the
    pod's requests over the same rows.
    """
    total = profile.fit_weight * fit_scores(profile, arrays, columns, scoring)
    if profile.balanced_allocation is not None:
        total = total + profile.balanced_weight * balanced_scores(profile, arrays, columns, real)
    return total


def _columns_for(arrays, columns, pod: np.ndarray, node_requested: np.ndarray, resources):
    """Per resource scored for this pod: (requested incl. the pod, allocatable, pod, weight).

    A scalar resource the pod does not request is left out for every node; a resource a
    node lacks has allocatable 0 there and the caller skips it (resource_vectors).
    """
    out = []
    for name, weight in resources:
        j = columns[name]
        if pod[j] == 0 and is_scalar(name):
            continue
        out.append((node_requested[j] + pod[j], arrays["allocatable"][j], pod[j], weight))
    return out


def fit_scores(profile: Profile, arrays, columns, pod: np.ndarray) -> np.ndarray:
    """NodeResourcesFit's Score per node, from requests with the scoring defaults."""
    p = profile
    size = arrays["allocatable"].shape[1]
    num = den = 0
    for req, alloc, _pod, weight in _columns_for(
        arrays, columns, pod, arrays["non_zero"], p.resources
    ):
        has = alloc > 0
        safe = np.where(has, alloc, 1)
        if p.strategy == "LeastAllocated":
            score = np.where(req > alloc, 0, (alloc - req) * MAX_NODE_SCORE // safe)
        elif p.strategy == "MostAllocated":
            score = np.minimum(req, alloc) * MAX_NODE_SCORE // safe
        else:
            utilization = np.where(req > alloc, MAX_NODE_SCORE, req * MAX_NODE_SCORE // safe)
            score = shape_scores(p.shape, utilization)
            has = has & (score > 0)
        num = num + np.where(has, score * weight, 0)
        den = den + np.where(has, weight, 0)
    num = np.broadcast_to(np.asarray(num, dtype=np.int64), (size,))
    den = np.broadcast_to(np.asarray(den, dtype=np.int64), (size,))
    safe_den = np.maximum(den, 1)
    if p.strategy == "RequestedToCapacityRatio":
        result = (2 * num + den) // (2 * safe_den)  # math.Round, half away from zero
    else:
        result = num // safe_den
    return np.where(den > 0, result, 0)


def shape_scores(shape, utilization: np.ndarray) -> np.ndarray:
    """broken_linear over an array, shape scores scaled 0..10 -> 0..100."""
    scale = MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE
    u = np.array([pt[0] for pt in shape], dtype=np.int64)
    s = np.array([pt[1] * scale for pt in shape], dtype=np.int64)
    i = np.searchsorted(u, utilization, side="left")
    inner = np.clip(i, 1, len(u) - 1) if len(u) > 1 else np.zeros_like(i)
    u0, s0, u1, s1 = u[inner - 1], s[inner - 1], u[inner], s[inner]
    top = (s1 - s0) * (utilization - u0)
    interpolated = s0 + np.sign(top) * (np.abs(top) // np.maximum(u1 - u0, 1))  # Go's /
    return np.where(i == 0, s[0], np.where(i >= len(u), s[-1], interpolated))


def balanced_scores(profile: Profile, arrays, columns, pod: np.ndarray) -> np.ndarray:
    """BalancedAllocation's Score per node from real requests; 0 where PreScore says Skip."""
    p = profile
    size = arrays["allocatable"].shape[1]
    cols = _columns_for(arrays, columns, pod, arrays["requested"], p.balanced_resources)
    if not any(pod_amount for _r, _a, pod_amount, _w in cols):
        return np.zeros(size, dtype=np.int64)  # best-effort pod: PreScore returns Skip
    after = _balance([(r, a) for r, a, _p, _w in cols], size)
    if p.balanced_allocation == "v1.35":
        return after
    before = _balance([(r - pod_amount, a) for r, a, pod_amount, _w in cols], size)
    half = MAX_NODE_SCORE // 2
    return half + (half + after - before) // 2


def _balance(columns: list[tuple[np.ndarray, np.ndarray]], size: int) -> np.ndarray:
    """int64((1 - std) * 100) per node over (requested, allocatable) columns, in float64 and in
    upstream's order of operations, skipping a resource where a node has none of it."""
    fractions, present = [], []
    for req, alloc in columns:
        has = alloc > 0
        fractions.append(np.minimum(req / np.where(has, alloc, 1), 1.0))
        present.append(has)
    count = np.zeros(size, dtype=np.int64)
    first = np.zeros(size)
    last = np.zeros(size)
    total = np.zeros(size)
    for f, has in zip(fractions, present, strict=True):
        first = np.where(has & (count == 0), f, first)
        last = np.where(has, f, last)
        total = total + np.where(has, f, 0.0)
        count = count + has
    mean = total / np.maximum(count, 1)
    squares = np.zeros(size)
    for f, has in zip(fractions, present, strict=True):
        squares = squares + np.where(has, (f - mean) * (f - mean), 0.0)
    std = np.where(
        count == 2,
        np.abs((first - last) / 2),
        np.where(count > 2, np.sqrt(squares / np.maximum(count, 1)), 0.0),
    )
    return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
