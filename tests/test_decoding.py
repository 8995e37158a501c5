import itertools

import numpy as np
import pytest
from crashing_decoder import decode_or_die
from imagegen import picture, save

from difpy_tk.scan import decoding
from difpy_tk.scan.decoding import CRASH_REASON, WorkerPool, decode_files
from difpy_tk.scan.progress import Cancelled, CancelToken


def test_a_crashing_decoder_loses_only_its_file(tmp_path):
    paths = [str(save(picture(i), tmp_path / f"img{i}.png")) for i in range(12)]
    paths.insert(5, str(save(picture(99), tmp_path / "crash.png")))
    outcomes = {}
    decode_files(paths, 16, 2, outcomes.__setitem__, task=decode_or_die)
    assert sorted(outcomes) == list(range(len(paths)))
    assert outcomes[5].reason == CRASH_REASON and outcomes[5].tensor is None
    for index, outcome in outcomes.items():
        if index != 5:
            assert outcome.reason == "" and outcome.tensor.shape == (16, 16, 3)
            assert (outcome.width, outcome.height) == (320, 240)
            assert outcome.total == int(outcome.tensor.sum())


def test_progress_reaches_the_total(tmp_path):
    paths = [str(save(picture(i), tmp_path / f"img{i}.jpg")) for i in range(20)]
    seen = []
    decode_files(paths, 16, 2, lambda i, o: None, lambda phase, done, total: seen.append((done, total)))
    assert seen[-1] == (20, 20)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))


def test_cancel_raises_promptly(tmp_path):
    paths = [str(save(picture(i, (1200, 900)), tmp_path / f"img{i}.png")) for i in range(4)] * 40
    token = CancelToken()
    calls = []

    def on_result(index, outcome):
        calls.append(index)
        token.cancel()

    with pytest.raises(Cancelled):
        decode_files(paths, 16, 1, on_result, cancel=token)
    assert len(calls) < len(paths)
    assert np.all(np.array(calls) < len(paths))


@pytest.fixture
def pools_started(monkeypatch):
    """How many process pools were started (a list of their sizes)."""
    started = []
    real = decoding._new_pool

    def counting(processes, event):
        started.append(processes)
        return real(processes, event)

    monkeypatch.setattr(decoding, "_new_pool", counting)
    return started


def test_one_worker_pool_serves_several_decodes(tmp_path, pools_started):
    jpegs = [str(save(picture(i), tmp_path / f"img{i}.jpg")) for i in range(6)]
    fast, full = {}, {}
    with WorkerPool(2) as workers:
        decode_files(jpegs, 16, 2, fast.__setitem__, workers=workers)
        decode_files(jpegs[:3], 16, 2, full.__setitem__, exact=True, workers=workers)
    assert pools_started == [2]
    assert sorted(fast) == list(range(6)) and sorted(full) == [0, 1, 2]
    assert all(full[i].is_full and not fast[i].is_full for i in full)


def test_a_pool_broken_by_a_crash_is_replaced_for_the_next_decode(tmp_path, pools_started):
    paths = [str(save(picture(i), tmp_path / f"img{i}.png")) for i in range(4)]
    crash = str(save(picture(9), tmp_path / "crash.png"))
    first, second = {}, {}
    with WorkerPool(2) as workers:
        decode_files([*paths, crash], 16, 2, first.__setitem__, task=decode_or_die, workers=workers)
        decode_files(paths, 16, 2, second.__setitem__, workers=workers)
    assert first[4].reason == CRASH_REASON and all(first[i].tensor is not None for i in range(4))
    assert all(second[i].tensor is not None for i in range(4))
    assert pools_started == [2, 2, 2]  # the first broke on the batch, the second on the crash alone


def test_after_a_cancel_the_same_worker_pool_decodes_again(tmp_path, pools_started):
    paths = [str(save(picture(i, (1200, 900)), tmp_path / f"img{i}.png")) for i in range(4)] * 10
    token = CancelToken()
    again = {}
    with WorkerPool(1) as workers:
        with pytest.raises(Cancelled):
            decode_files(paths, 16, 1, lambda i, o: token.cancel(), cancel=token, workers=workers)
        decode_files(paths[:4], 16, 1, again.__setitem__, workers=workers)
    assert sorted(again) == [0, 1, 2, 3] and all(o.tensor is not None for o in again.values())
    assert pools_started == [1, 1]  # the cancelled pool's workers were stopped, a new one started


def test_a_search_that_decodes_nothing_starts_no_worker_and_a_closed_pool_stays_closed(pools_started):
    with WorkerPool(2) as workers:
        decode_files([], 16, 2, lambda i, o: None, workers=workers)
    assert pools_started == []
    with pytest.raises(RuntimeError, match="closed"):
        workers.executor()
