"""The whole-scan time estimate, replayed against progress logs recorded from real searches
(tests/data/record_phase_log.py wrote them with the engine as it is now, verifying phase
included: 1,600 JPEGs cold, and with 960 of them in the cache)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from difpy_tk.scan.eta import FULL_DECODE_FACTOR, VERIFY_SHARE, ScanEstimate

DATA = Path(__file__).parent / "data"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def replay(log: dict) -> list[tuple[float, str, int, int, float | None]]:
    """(time, phase, done, total, estimated seconds left) after each recorded event."""
    estimate = ScanEstimate()
    out = []
    for now, phase, done, total in log["events"]:
        estimate.update(now, phase, done, total)
        out.append((now, phase, done, total, estimate.remaining(now)))
    return out


@pytest.mark.parametrize("name", ["phase_log_verifying.json", "phase_log_mostly_cached.json"])
def test_estimate_includes_the_phases_still_to_come(name):
    """While decoding and comparing, the estimate already counts the verifying phase from
    its prior (VERIFY_SHARE of the decoded images at FULL_DECODE_FACTOR × the decoding
    pace): the cold run's verifying took 69 of its 95 s, and an estimate that waited for
    it said "under a second left" at 26 s."""
    log = load(name)
    finished = log["finished"]
    estimates = [
        (now, left) for now, phase, _, _, left in replay(log) if left is not None and phase in ("decoding", "searching")
    ]
    assert estimates, "the estimate never appeared"
    assert estimates[0][0] < 0.3 * finished  # early enough to be useful
    for now, left in estimates:
        truth = finished - now
        # Within 40 % or 3 s of what really happened: the pace of a real run drifts (other
        # programs, file sizes, the verifying share), which no estimate made halfway can know.
        assert abs(left - truth) <= max(3.0, 0.40 * truth), f"at {now} s: {left:.1f} s left, really {truth:.1f} s"


def test_cached_images_are_not_counted_as_work_left():
    log = load("phase_log_mostly_cached.json")
    assert log["cache_hits"] > log["images"] // 2
    replayed = replay(log)
    now, _, done, total, left = next(row for row in replayed if row[4] is not None)
    assert done < total
    # Had the cached images been timed like decoded ones, this would be about
    # images / (images - cache_hits) times longer.
    assert left <= 1.35 * (log["finished"] - now) + 3.0


def test_nothing_is_claimed_while_listing_or_before_the_pace_is_known():
    estimate = ScanEstimate()
    estimate.update(0.0, "listing", 0, 0)
    assert estimate.remaining(0.5) is None
    estimate.update(0.6, "decoding", 0, 500)
    assert estimate.remaining(2.0) is None  # the worker processes are still starting
    estimate.update(2.1, "decoding", 8, 500)
    assert estimate.remaining(2.1) is None  # one batch is no pace yet
    estimate.update(2.5, "decoding", 24, 500)
    assert estimate.remaining(2.5) is None  # nor are two, while the other workers start
    estimate.update(3.1, "decoding", 40, 500)
    pace = 1.0 / 32  # seconds an image, from the first decoded image on
    verifying = 500 * VERIFY_SHARE * pace * FULL_DECODE_FACTOR
    assert estimate.remaining(3.1) == pytest.approx((500 - 40) * pace + 0.3 + 500 * 0.0001 + verifying + 500 * 0.00001)


def test_a_search_of_cached_images_only_is_estimated_at_once():
    estimate = ScanEstimate()
    estimate.update(0.0, "listing", 0, 0)
    estimate.update(0.2, "decoding", 1000, 1000)
    assert estimate.remaining(0.2) == pytest.approx(0.3 + 1000 * 0.0001 + 1000 * 0.00001)
    assert (estimate.cached, estimate.decoded) == (1000, 0)


def test_time_passing_without_reports_counts_down():
    estimate = ScanEstimate()
    estimate.update(0.0, "decoding", 0, 400)
    estimate.update(1.0, "decoding", 10, 400)
    estimate.update(5.0, "decoding", 50, 400)
    assert estimate.remaining(6.0) == pytest.approx(estimate.remaining(5.0) - 1.0)


def test_decoded_counts_only_this_search():
    log = load("phase_log_mostly_cached.json")
    estimate = ScanEstimate()
    for now, phase, done, total in log["events"]:
        estimate.update(now, phase, done, total)
        if phase == "decoding":
            assert estimate.decoded == done - log["cache_hits"]
    assert estimate.decoded == log["images"] - log["cache_hits"]


def test_verifying_is_timed_by_its_own_pace_and_restarts_with_each_step():
    estimate = ScanEstimate()
    estimate.update(0.0, "decoding", 0, 400)
    estimate.update(1.0, "decoding", 8, 400)
    estimate.update(4.92, "decoding", 400, 400)  # 0.01 s an image
    estimate.update(5.5, "searching", 400, 400)
    estimate.update(6.0, "verifying", 0, 200)  # 200 images decoded in full: not measured yet
    assert estimate.remaining(6.0) == pytest.approx(200 * 0.01 * FULL_DECODE_FACTOR + 400 * 0.00001)
    estimate.update(7.0, "verifying", 10, 200)
    estimate.update(9.0, "verifying", 50, 200)  # 0.06 s an image since the first report
    assert estimate.remaining(9.0) == pytest.approx(150 * 0.06 + 400 * 0.00001)
    estimate.update(9.8, "verifying", 200, 200)
    estimate.update(10.0, "verifying", 128, 200)  # the comparisons of those pairs count from 0 again
    assert estimate.remaining(10.0) == pytest.approx(72 * 0.0001 + 400 * 0.00001)


def test_the_count_names_each_step_of_the_verifying_phase():
    """Its count falls back to 0 at each step; the words say why (a new user took the
    fall from "672 of 796" to "128 of 918" for the search starting over)."""
    estimate = ScanEstimate()
    notes = []
    for phase, done, total in [
        ("decoding", 0, 400), ("decoding", 400, 400), ("searching", 400, 400),
        ("verifying", 0, 200), ("verifying", 200, 200),  # decoded in full
        ("verifying", 10, 230), ("verifying", 230, 230),  # those and the full ones compared
        ("verifying", 0, 5), ("verifying", 20, 240),  # a wider margin: 5 more decoded, compared again
        ("grouping", 0, 0),
    ]:
        estimate.update(1.0, phase, done, total)
        notes.append(estimate.count_note())
    assert notes == ["", "", ""] + ["decoded in full"] * 2 + ["compared again"] * 2 + [
        "decoded in full", "compared again", ""
    ]


@pytest.mark.parametrize("name", ["phase_log_verifying.json", "phase_log_mostly_cached.json"])
def test_the_verifying_phase_is_estimated_within_a_factor_of_three(name):
    """Real runs whose verifying phase decoded photos in full (800 of 1,600 cold): large
    originals first, small copies last, so its pace halves as it goes, and the first
    reports include the worker start-up. No estimate made halfway can know that; the
    recent pace keeps it within a factor of three of the truth (plus 3 s)."""
    log = load(name)
    finished = log["finished"]
    verifying = [(now, left) for now, phase, _, _, left in replay(log) if phase == "verifying" and left is not None]
    assert len(verifying) > 10  # a report every 0.1 s: its 1.7 s (cached) to 3.7 s (cold)
    for now, left in verifying:
        truth = finished - now
        assert truth / 3 - 3 <= left <= 3 * truth + 3, f"at {now} s: {left:.1f} s left, really {truth:.1f} s"


def test_a_thorough_search_expects_no_verifying_phase():
    """Thorough decodes every image in full at once: a new user saw "About 0:09 left" for a
    search that ended at 5.3 s, the verifying phase's prior counted for nothing."""
    estimates = {}
    for thorough in (False, True):
        estimate = ScanEstimate(full_at_once=thorough)
        estimate.update(0.0, "listing", 0, 0)
        for step in range(51):  # 100 images, one every 0.1 s
            estimate.update(0.1 * step, "decoding", step, 100)
        estimates[thorough] = estimate.remaining(5.0)
    assert estimates[True] == pytest.approx(5.0 + 0.3 + 0.01 + 0.001, abs=0.3)  # decoding, search, grouping
    assert estimates[False] == pytest.approx(estimates[True] + 100 * VERIFY_SHARE * 0.1 * FULL_DECODE_FACTOR, abs=0.3)


def test_the_options_say_when_every_image_is_decoded_in_full_at_once():
    from difpy_tk.scan.options import SearchOptions

    assert not SearchOptions(inputs=(".",)).full_at_once
    assert SearchOptions(inputs=(".",), thorough=True).full_at_once
    assert SearchOptions(inputs=(".",), px_size=150).full_at_once  # above the fast decode's largest px
