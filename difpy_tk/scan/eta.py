"""How long the rest of a search will take: one estimate for the whole scan, not per step.

The engine reports (phase, done, total) for listing, decoding, searching, verifying
(decoding in full the images of the pairs too close to call, then comparing those again)
and grouping.
Decoding usually dominates, and its pace is measured: images found in the cache are
counted as done before the clock starts, and the seconds the process pool takes to start
(before the first decoded image arrives) are not mistaken for the pace. The phases still
to come are added from their prior cost (PRIOR), and once a phase reports progress its
own measured pace replaces the prior. tests/test_eta.py replays recorded real runs.

No Tk here: the progress screen and the CLI feed it events and show its answer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhaseCosts:
    """Seconds a phase costs before it has been measured (a 2-core laptop, "similar", rotations on).

    The comparison is an exact pruned search that grows nearly linearly with the number
    of images (docs/benchmarks.md: 0.13 s for 2,000 photos, 10.5 s for 100,000 tensors);
    the fixed part is the set-up of its statistics and threads."""

    search_fixed_s: float = 0.3
    search_per_image_s: float = 0.0001
    grouping_per_image_s: float = 0.00001


PRIOR = PhaseCosts()
PACE_SAMPLE = 32
"""Decoded images needed past the first result before the decoding pace is trusted (or a
quarter of the images to decode, when there are few): the first batches arrive while the
other worker processes are still starting, and timing those alone overestimates by half."""


@dataclass
class _Pace:
    """The first and the latest progress of a phase, in (seconds, units done)."""

    first_time: float
    first_done: int
    last_time: float
    last_done: int
    total: int

    def seconds_per_unit(self) -> float | None:
        progressed = self.last_done - self.first_done
        if progressed <= 0:
            return None
        return (self.last_time - self.first_time) / progressed

    def _verify_remaining(self, now: float) -> float:
        """Measured once it moves; before that, full decodes at least at the decoding pace."""
        verify = self._verify
        if verify is None:
            return 0.0
        measured = verify.remaining(now)
        if measured is not None:
            return measured
        pace = self._decode.seconds_per_unit() if self._decode is not None else None
        return max((verify.total - verify.last_done) * (pace or 0.0) - (now - verify.last_time), 0.0)

    def remaining(self, now: float) -> float | None:
        """Units left times the pace, less the time already spent on them since the last report."""
        pace = self.seconds_per_unit()
        if pace is None:
            return None
        return max((self.total - self.last_done) * pace - (now - self.last_time), 0.0)


class ScanEstimate:
    """Fed every progress event of one search (with a clock reading), answers how long is left."""

    def __init__(self, costs: PhaseCosts = PRIOR) -> None:
        self._costs = costs
        self._phase = ""
        self._images = 0
        self._cached = 0
        self._decode: _Pace | None = None
        self._search: _Pace | None = None
        self._verify: _Pace | None = None
        self._decoded = 0

    @property
    def decoded(self) -> int:
        """Images decoded by this search so far (not those read from the cache): the engine
        stores each in the cache as it goes, so a cancelled search keeps them."""
        return self._decoded

    @property
    def cached(self) -> int:
        """Images this search found already decoded in the cache."""
        return self._cached

    def update(self, now: float, phase: str, done: int, total: int) -> None:
        starting = phase != self._phase
        self._phase = phase
        if phase == "decoding":
            if starting:
                # The first report counts the cache hits; the clock for the pace starts at
                # the first decoded image, after the worker processes have started.
                self._images, self._cached = total, done
            self._decoded = done - self._cached
            if done > self._cached:
                if self._decode is None:
                    self._decode = _Pace(now, done, now, done, total)
                else:
                    self._decode.last_time, self._decode.last_done = now, done
        elif phase == "searching":
            if self._search is None:
                self._search = _Pace(now, 0, now, done, total)
            else:
                self._search.last_time, self._search.last_done = now, done
            self._search.total = total
        elif phase == "verifying":
            # Two steps report under this name with their own totals (full decodes, then
            # comparisons): each new total starts a new pace.
            if self._verify is None or total != self._verify.total:
                self._verify = _Pace(now, done, now, done, total)
            else:
                self._verify.last_time, self._verify.last_done = now, done

    def _search_remaining(self, now: float) -> float:
        costs = self._costs
        if self._search is not None:
            measured = self._search.remaining(now)
            if measured is not None and self._search.last_done >= self._search.total // 10:
                return measured
            spent = now - self._search.first_time
            return max(costs.search_fixed_s + self._images * costs.search_per_image_s - spent, 0.0)
        return costs.search_fixed_s + self._images * costs.search_per_image_s

    def _verify_remaining(self, now: float) -> float:
        """Measured once it moves; before that, full decodes at least at the decoding pace."""
        verify = self._verify
        if verify is None:
            return 0.0
        measured = verify.remaining(now)
        if measured is not None:
            return measured
        pace = self._decode.seconds_per_unit() if self._decode is not None else None
        return max((verify.total - verify.last_done) * (pace or 0.0) - (now - verify.last_time), 0.0)

    def remaining(self, now: float) -> float | None:
        """Seconds until the search ends, or None while there is nothing to base it on yet
        (listing the folders; waiting for the first decoded images)."""
        grouping = self._images * self._costs.grouping_per_image_s
        if self._phase in ("", "listing"):
            return None
        if self._phase == "grouping":
            return grouping
        if self._phase == "searching":
            return self._search_remaining(now) + grouping
        if self._phase == "verifying":
            return self._verify_remaining(now) + grouping
        to_decode = self._images - self._cached
        if to_decode == 0:
            decoding = 0.0
        elif self._decode is None or self._decode.last_done - self._decode.first_done < min(
            PACE_SAMPLE, max(to_decode // 4, 2)
        ):
            return None
        else:
            decoding = self._decode.remaining(now) or 0.0
        return decoding + self._search_remaining(now) + grouping
