"""How long the rest of a search will take: one estimate for the whole scan, not per step.

The engine reports (phase, done, total) for listing, decoding, searching, verifying
(decoding in full the images of the pairs too close to call, then comparing those again)
and grouping.
Decoding usually dominates, and its pace is measured: images found in the cache are
counted as done before the clock starts, and the seconds the process pool takes to start
(before the first decoded image arrives) are not mistaken for the pace. The phases still
to come are added from their prior cost (PRIOR; for verifying, VERIFY_SHARE), and once a
phase reports progress its own measured pace replaces the prior. tests/test_eta.py replays recorded real runs.

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
"""Units needed past the first report before a measured pace is trusted (or a quarter of
the phase, when it is small): the first batches arrive while the other worker processes
are still starting, and timing those alone overestimates by half or more."""
PACE_WINDOW_S = 15.0
"""The pace is measured over the last seconds of a phase, not all of it: images are not
alike (a folder of large originals, then one of small copies), and the recent pace says
more about what is left."""
FULL_DECODE_FACTOR = 3.0
"""How much slower an image of the verifying phase (decoded in full, then compared again)
is than one of the decoding phase (the fast, scaled decode), in wall time: 4.99 against
1.77 ms (2.8×) on the benchmark's 2k corpus, 5.33 against 1.62 ms (3.3×) on its 10k one
(docs/benchmarks.md, 2026-12-03 evening: decoding 4.13 s and 16.34 s, verifying 4.37 s
for 876 images and 22.45 s for 4,215); used until the verifying phase has its own pace."""
VERIFY_SHARE = 0.40
"""The share of newly decoded images that the verifying phase decodes again in full, used
before that phase starts (its real count is known only when the comparison ends): 876 of
2,334 (0.38) and 4,215 of 10,069 (0.42) on the benchmark corpora; a folder of many copies
has more (a new user's 1,100 images, 901). Images found in the cache bring their full
tensor with them and cost nothing there."""


class _Pace:
    """The progress reports of one step of a phase, as (seconds, units done)."""

    def __init__(self, now: float, done: int, total: int) -> None:
        self.points = [(now, done)]
        self.total = total

    @property
    def first_done(self) -> int:
        return self.points[0][1]

    @property
    def last(self) -> tuple[float, int]:
        return self.points[-1]

    def add(self, now: float, done: int) -> None:
        self.points.append((now, done))

    def seconds_per_unit(self) -> float | None:
        """Over the last PACE_WINDOW_S, once PACE_SAMPLE units (or a quarter) are done."""
        last_time, last_done = self.last
        if last_done - self.first_done < min(PACE_SAMPLE, max((self.total - self.first_done) // 4, 2)):
            return None
        since, done_then = next(
            (point for point in self.points if point[0] >= last_time - PACE_WINDOW_S), self.points[0]
        )
        if last_done <= done_then:
            since, done_then = self.points[0]
        return (last_time - since) / (last_done - done_then)

    def remaining(self, now: float) -> float | None:
        """Units left times the pace, less the time already spent on them since the last report."""
        pace = self.seconds_per_unit()
        if pace is None:
            return None
        last_time, last_done = self.last
        return max((self.total - last_done) * pace - (now - last_time), 0.0)


class ScanEstimate:
    """Fed every progress event of one search (with a clock reading), answers how long is left."""

    def __init__(self, costs: PhaseCosts = PRIOR, full_at_once: bool = False) -> None:
        """full_at_once: the search decodes every image in full at once
        (SearchOptions.full_at_once), so no verifying phase is to come (counting one made
        a Thorough search's estimate twice too long)."""
        self._costs = costs
        self._full_at_once = full_at_once
        self._phase = ""
        self._images = 0
        self._cached = 0
        self._decode: _Pace | None = None
        self._search: _Pace | None = None
        self._verify: _Pace | None = None
        self._verify_steps = 0
        self._decoded = 0

    @property
    def decoded(self) -> int:
        """Images decoded by this search so far (not those read from the cache): the engine
        stores each in the cache as it goes, so a cancelled search keeps them."""
        return self._decoded

    def count_note(self) -> str:
        """Words after the count ("672 of 796 images decoded in full"): in the verifying
        phase its step (odd steps decode in full, even ones compare those images again; a
        search repeated with a wider margin goes on counting), whose count starts from 0
        again, so the bar that falls back is seen to be another step, not the search
        starting over; "" elsewhere."""
        if self._phase != "verifying" or not self._verify_steps:
            return ""
        return "decoded in full" if self._verify_steps % 2 else "compared again"

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
                self._decode = self._advance(self._decode, now, done, total)
        elif phase == "searching":
            self._search = self._advance(self._search, now, done, total, keep_total=True)
        elif phase == "verifying":
            previous = self._verify
            self._verify = self._advance(self._verify, now, done, total)
            self._verify_steps += self._verify is not previous

    @staticmethod
    def _advance(pace: _Pace | None, now: float, done: int, total: int, keep_total: bool = False) -> _Pace:
        """Add a report to a step's pace, or start a new step: verifying reports two steps
        under one name (full decodes, then the comparisons), each counting from 0 again."""
        if pace is None or done < pace.last[1] or (total != pace.total and not keep_total):
            return _Pace(now, done, total)
        pace.add(now, done)
        pace.total = total
        return pace

    def _search_remaining(self, now: float) -> float:
        costs = self._costs
        prior = costs.search_fixed_s + self._images * costs.search_per_image_s
        if self._search is None:
            return prior
        measured = self._search.remaining(now)
        return measured if measured is not None else max(prior - (now - self._search.points[0][0]), 0.0)

    def _verify_remaining(self, now: float) -> float:
        """Measured once it moves; before that, its first step (full decodes) at
        FULL_DECODE_FACTOR × the decoding pace, its second (comparisons) like the search."""
        verify = self._verify
        if verify is None:
            return 0.0
        measured = verify.remaining(now)
        if measured is not None:
            return measured
        if self._verify_steps == 1:
            decode_pace = self._decode.seconds_per_unit() if self._decode is not None else None
            pace = (decode_pace or 0.0) * FULL_DECODE_FACTOR
        else:
            pace = self._costs.search_per_image_s
        last_time, last_done = verify.last
        return max((verify.total - last_done) * pace - (now - last_time), 0.0)

    def _verify_prior(self) -> float:
        """The verifying phase's likely cost, while it has not started: VERIFY_SHARE of the
        images this search decodes, each FULL_DECODE_FACTOR × the measured decoding pace."""
        if self._full_at_once:
            return 0.0
        decode_pace = self._decode.seconds_per_unit() if self._decode is not None else None
        return (self._images - self._cached) * VERIFY_SHARE * (decode_pace or 0.0) * FULL_DECODE_FACTOR

    def remaining(self, now: float) -> float | None:
        """Seconds until the search ends, or None while there is nothing to base it on yet
        (listing the folders; waiting for the first decoded images)."""
        grouping = self._images * self._costs.grouping_per_image_s
        if self._phase in ("", "listing"):
            return None
        if self._phase == "grouping":
            return grouping
        if self._phase == "searching":
            return self._search_remaining(now) + self._verify_prior() + grouping
        if self._phase == "verifying":
            return self._verify_remaining(now) + grouping
        to_decode = self._images - self._cached
        if to_decode == 0:
            decoding = 0.0
        else:
            decoding = self._decode.remaining(now) if self._decode is not None else None
            if decoding is None:
                return None
        return decoding + self._search_remaining(now) + self._verify_prior() + grouping
