"""Statistics the report needs: percentiles, min / median / max of repetitions, and targets.

Pure functions and small values, no I/O, so they are tested directly. Example::

    percentile([1, 2, 3, 4], 50)              # 2.5, linear interpolation (numpy's default)
    Spread.of([3.0, 1.0, 2.0])                # Spread(low=1.0, median=2.0, high=3.0)
    AtMost(15).met(Spread.of([12, 14, 16]))   # True: the median is judged
"""
import math
import statistics
from dataclasses import dataclass


def percentile(values, p):
    """The p-th percentile (0–100) of ``values`` by linear interpolation; None when empty."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0 and 100, not {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * p / 100
    below, above = math.floor(rank), math.ceil(rank)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


@dataclass(frozen=True)
class Spread:
    """Three (or more) repetitions of one figure, as min / median / max."""
    low: float
    median: float
    high: float

    @classmethod
    def of(cls, values):
        values = [v for v in values if v is not None]
        if not values:
            return None
        return cls(min(values), statistics.median(values), max(values))

    def format(self, unit="", digits=None):
        low, median, high = (_number(v, digits) for v in (self.low, self.median, self.high))
        if low == high:
            return f"{median}{unit}"
        return f"{median}{unit} ({low}–{high})"


def _number(value, digits=None):
    if digits is None:
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f}"


def fmt(spread, unit="", digits=None):
    """A spread as ``median (min–max)``, or ``–`` when nothing was measured."""
    return "–" if spread is None else spread.format(unit, digits)


@dataclass(frozen=True)
class AtMost:
    """Met when the median is at most ``limit``."""
    limit: float
    unit: str = ""

    def met(self, spread):
        return None if spread is None else spread.median <= self.limit

    def __str__(self):
        return f"≤ {self.limit:,g}{self.unit}"


@dataclass(frozen=True)
class AtLeast:
    """Met when the median is at least ``limit``."""
    limit: float
    unit: str = ""

    def met(self, spread):
        return None if spread is None else spread.median >= self.limit

    def __str__(self):
        return f"≥ {self.limit:,g}{self.unit}"


def verdict(results):
    """The "met?" cell of figures judged together: yes when every one is met, no when one is
    not, "not measured" when one could not be (nothing reached), "–" with no target."""
    judged = [r for r in results if r != "no target"]
    if not judged:
        return "–"
    if any(r is False for r in judged):
        return "no"
    if any(r is None for r in judged):
        return "not measured"
    return "yes"
