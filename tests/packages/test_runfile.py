"""The run file writer (packages/runfile.py): the run file is the result's own dict, text for text."""
import json
from datetime import date, timedelta

import pytest

from graphs import matching as gm
from matchmaker.packages import runfile

AS_OF = date(2020, 3, 16)


def _result():
    needs = [gm.NeedRecord("N%d" % i, "B%d" % (i % 2), "C1", 10.0 + i, AS_OF + timedelta(days=10 + i),
                           45.7 + i / 100, 126.6, terms=("pay_first",), region="230102") for i in range(4)]
    offers = [gm.OfferRecord("O%d" % i, "S%d" % i, "C1", 7.5 + i, AS_OF, 45.8, 126.5 + i / 100,
                             workers_back=0.5, region="230103") for i in range(5)]
    return gm.propose_pairings(needs, offers, as_of=AS_OF)


@pytest.mark.parametrize("chunk", [1, 3, 65536])
def test_run_file_is_the_result_as_a_dict(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(runfile, "_CANDIDATE_CHUNK", chunk)
    result = _result()
    assert len(result.candidates) > 3 and result.pairings
    path = tmp_path / "run.json"
    runfile.write_run_file(result, path)
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(json.dumps(result.to_dict()))


def test_run_file_from_plain_candidates(tmp_path):
    result = _result()
    result.candidates = [tuple(c) for c in result.candidates]  # any sequence of 4-tuples
    path = tmp_path / "run.json"
    runfile.write_run_file(result, path)
    got = json.loads(path.read_text(encoding="utf-8"))["candidates"]
    assert [(c["need"], c["offer"], c["unit_cost"], c["distance_km"]) for c in got] == result.candidates


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_reasons_json_is_json_dumps(ensure_ascii):
    encode = runfile.ReasonsJSON(ensure_ascii=ensure_ascii)
    for reasons in (["同县，0 公里 / same county, 0 km", 'quote " and \\'], [], ["同县，0 公里 / same county, 0 km"]):
        assert encode(reasons) == json.dumps(reasons, ensure_ascii=ensure_ascii)


@pytest.mark.parametrize("lists", [
    [("a",), ("b", "a"), ()],  # tuples: each distinct one encoded once
    [["a"], ["b", "a"], []],  # lists: unhashable, each encoded
    [("a",), ["b", "a"], ()],  # a list after a tuple: the fallback starts again from the first
])
def test_reasons_json_many_gives_one_text_per_list_from_a_sequence_or_an_iterator(lists):
    """A run's proposals take their reasons' texts by position: none may be lost or shifted, whether
    the reasons come as tuples or lists, in a list or a one-shot iterator (a run passes a map)."""
    expected = [json.dumps(list(r)) for r in lists]
    assert runfile.ReasonsJSON().many(lists) == expected
    assert runfile.ReasonsJSON().many(iter(lists)) == expected
