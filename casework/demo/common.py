"""Sizes, time spans and weighted choices shared by the demo data builder."""

from __future__ import annotations

import bisect
import itertools
import random
from decimal import Decimal

DEFAULT_DISTRICT_KEY = "05558"
BATCH_SIZE = 2000
COPY_BATCH = 20_000
# Cases are written and followed by their entries in chunks, which keeps memory flat.
CASE_CHUNK = 2000
HISTORY_DAYS = 3 * 365
RESIDENCE_WARNING_DAYS = 8 * 7
ACTOR_ID_PREFIX = "demo-actor-"
CASE_MANAGERS_PER_REGION = 3
FTE_CHOICES = (Decimal("1.00"), Decimal("0.75"), Decimal("0.50"))


class Weights:
    """A fixed discrete distribution; a draw costs one random number and a bisection."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


_DISTRIBUTIONS: dict[tuple, Weights] = {}


def _weighted(rng: random.Random, weights: dict):
    """Draw a key of `weights`; the distribution is built once per distinct dict."""
    key = tuple(weights.items())
    table = _DISTRIBUTIONS.get(key)
    if table is None:
        table = _DISTRIBUTIONS[key] = Weights(weights)
    return table.pick(rng)
