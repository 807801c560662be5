"""The line protocol: one JSON message per line, identical for identical content, whatever the workspace sent."""

import io
import json
import threading

from langguard_bridge import protocol


def test_a_line_is_one_sorted_compact_json_object():
    line = protocol.line({"type": "record", "data": {"b": 1, "a": [1, 2]}})
    assert line.endswith("\n") and line.count("\n") == 1
    assert line == '{"data":{"a":[1,2],"b":1},"type":"record"}\n'
    # Same content, same line: the consumer's digest of it is the record's content hash.
    assert protocol.line({"data": {"a": [1, 2], "b": 1}, "type": "record"}) == line


def test_values_json_cannot_carry_are_sent_as_text_without_losing_the_record():
    line = protocol.line({"type": "record", "data": {"nan": float("nan"), "inf": float("-inf"), 3: {1, 2}}})
    data = json.loads(line)["data"]
    assert data["nan"] == "NaN" and data["inf"] == "-Infinity"
    assert sorted(data["3"]) == [1, 2]


def test_non_ascii_and_nul_are_escaped_so_the_client_sees_them_in_the_line():
    line = protocol.line({"s": "café\u0000"})
    assert line.isascii()
    assert "\\u0000" in line and json.loads(line)["s"] == "café\u0000"


def test_pages_written_by_many_threads_never_interleave(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(protocol, "_stdout", out)

    def page(n: int):
        protocol.emit_many([{"type": "record", "page": n, "i": i} for i in range(50)] + [{"type": "checkpoint", "page": n}])

    threads = [threading.Thread(target=page, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    messages = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(messages) == 8 * 51
    for start in range(0, len(messages), 51):
        block = messages[start : start + 51]
        assert {m["page"] for m in block} == {block[0]["page"]}
        assert block[-1]["type"] == "checkpoint"
