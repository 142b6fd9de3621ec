import json
import math

import pytest

from hwsnn.errors import DataError
from hwsnn.sweep.table import Row, RowWriter, read_rows, summarize, write_table


def _row(index, status="ok", **metrics):
    return Row(
        index=index,
        key=f"{index}-abc",
        seed=10 + index,
        status=status,
        error="" if status == "ok" else "ValueError: x",
        attempts=1 if status == "ok" else 2,
        params={"level": float(index % 2), "shard": index // 2},
        metrics=metrics,
    )


def test_row_round_trips_through_json_with_nan_as_null():
    row = _row(3, accuracy=0.5, odd=math.nan)
    text = row.to_json()
    assert json.loads(text)["metrics"]["odd"] is None
    back = Row.from_json(text)
    assert back.params == row.params and back.seed == 13 and back.metrics["accuracy"] == 0.5
    assert math.isnan(back.metrics["odd"])


def test_torn_last_line_is_ignored_and_repaired(tmp_path):
    path = tmp_path / "results.jsonl"
    with RowWriter(path) as writer:
        writer.append(_row(0, accuracy=0.1))
        writer.append(_row(1, accuracy=0.2))
    with path.open("ab") as handle:
        handle.write(_row(2, accuracy=0.3).to_json().encode()[:20])  # killed mid-write
    assert [r.index for r in read_rows(path)] == [0, 1]
    assert [r.index for r in read_rows(path, repair=True)] == [0, 1]
    with RowWriter(path) as writer:
        writer.append(_row(2, accuracy=0.3))
    assert [r.index for r in read_rows(path)] == [0, 1, 2]


def test_corrupt_middle_line_is_an_error(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(_row(0).to_json() + "\n{not json\n" + _row(1).to_json() + "\n")
    with pytest.raises(DataError, match=":2:"):
        read_rows(path)


def test_write_table_sorts_by_index_and_writes_csv_and_summary(tmp_path):
    rows = [
        _row(3, accuracy=1.0, samples=10.0),
        _row(0, accuracy=0.5, samples=30.0),
        _row(1, "failed"),
        _row(2, accuracy=0.0, samples=10.0),
    ]
    ordered = write_table(rows, tmp_path)
    assert [r.index for r in ordered] == [0, 1, 2, 3]
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(x)["index"] for x in lines] == [0, 1, 2, 3]
    csv_lines = (tmp_path / "results.csv").read_text().splitlines()
    assert csv_lines[0] == "index,key,seed,status,error,attempts,level,shard,accuracy,samples"
    assert csv_lines[2].startswith("1,1-abc,11,failed,ValueError: x,2,1.0,0,,")
    summary = summarize(ordered)
    by_level = {s["level"]: s for s in summary}
    # level 0.0: shards 0 (30 samples, 0.5) and 1 (10 samples, 0.0) -> (15 + 0) / 40
    assert by_level[0.0]["accuracy"] == pytest.approx(15 / 40)
    assert by_level[0.0]["samples"] == 40.0 and by_level[0.0]["points"] == 2
    assert by_level[1.0]["points"] == 1  # the failed row is left out
    assert (tmp_path / "summary.csv").read_text().startswith("level,points,accuracy,samples")
