"""What the benchmarks share: reading a percentile off a list of samples."""

from __future__ import annotations


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
