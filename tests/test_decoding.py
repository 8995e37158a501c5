import itertools

import numpy as np
import pytest
from crashing_decoder import decode_or_die
from imagegen import picture, save

from difpy_tk.scan.decoding import CRASH_REASON, decode_files
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
