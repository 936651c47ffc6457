"""Benchmark plumbing: timing, percentiles, and a results line for bench/README.md."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path

OUT_DIR = Path(__file__).parent / "out"


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summarise(latencies_s: Sequence[float], wall_s: float) -> dict[str, float]:
    return {
        "per_second": len(latencies_s) / wall_s,
        "p50_ms": percentile(latencies_s, 0.50) * 1000,
        "p99_ms": percentile(latencies_s, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies_s) * 1000,
    }


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def choose_event_loop(stock: bool) -> str:
    """The event loop `navbot run` uses (uvloop where installed: `bot.cli.use_fast_event_loop`),
    or asyncio's own with ``stock`` (`--stock-loop`), to compare. Returns which, for the table."""
    if stock:
        return "asyncio"
    from bot.cli import use_fast_event_loop

    return "uvloop" if use_fast_event_loop() else "asyncio"
