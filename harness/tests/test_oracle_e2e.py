"""The stream oracle of `streamproof check` against the real refstream.

refstream runs a job over refbroker on inputs with out-of-order and late
events; sp-dump copies the input and output topics into a results folder's
stream/ directory (next to the job file); `streamproof check` recomputes
every result from the input dumps (harness/check/stream/, written from
reference/stream/README.md) and must agree with what refstream wrote, for
every window type and operator. A tampered output dump is caught, a dump cut
short makes the verdict unknown, and sp-dump copies partitions exactly.

The helpers here (results folders, dumps, checking) are shared with
test_oracle_crash.py.
"""
import json
import random
import struct
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN_DIR, SLOWDOWN, binary
from test_refstream_e2e import (Refstream, create_topic, gen, produce, read_json, run_to_end,
                                write_job)

# ---- helpers -----------------------------------------------------------------


def test_binary(name):
    """Test-only programs (sp-dump, sp-check) live next to bin/, in tests/."""
    path = BIN_DIR.parent / "tests" / name
    if not path.exists():
        pytest.fail(f"{path} not built")
    return str(path)


test_binary.__test__ = False  # a helper, not a test


def sp_dump(bootstrap, topic, out_dir):
    out = subprocess.run([test_binary("sp-dump"), "--bootstrap", bootstrap, "--topic", topic,
                          "--out", str(out_dir), "--timeout-ms", str(int(30000 * SLOWDOWN))],
                         capture_output=True, text=True, timeout=60 * SLOWDOWN)
    assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout


def results_folder(tmp_path, name, job_text, bootstrap, topics):
    """<tmp>/<name>/stream/ with the job file and dumps of `topics`."""
    run = tmp_path / name
    stream = run / "stream"
    stream.mkdir(parents=True, exist_ok=True)
    (stream / "job.yaml").write_text(job_text)
    for t in topics:
        sp_dump(bootstrap, t, stream)
    return run


def check(run):
    """streamproof check on a results folder: (exit code, verdict.json)."""
    out = subprocess.run([binary("streamproof"), "check", str(run), "--examples", "10000"],
                         capture_output=True, text=True, timeout=300 * SLOWDOWN)
    verdict = json.loads((Path(run) / "verdict.json").read_text())
    return out.returncode, verdict, out.stdout + out.stderr


def findings(verdict):
    """{kind: count} of the stream oracle's findings that are not zero."""
    return {k: v["count"] for k, v in verdict["stream"]["findings"].items() if v["count"]}


def examples(verdict, kind):
    return verdict["stream"]["findings"][kind]["examples"]


def assert_agrees(run, what, min_results=1):
    rc, verdict, text = check(run)
    s = verdict["stream"]
    assert findings(verdict) == {}, f"{what}: the oracle disagrees with refstream:\n{text[-6000:]}"
    assert s["incomplete"] == [], f"{what}: {s['incomplete']}"
    assert rc == 0 and verdict["verdict"] == "valid", text[-3000:]
    checked = sum(t["expected"]["output"] for t in s["tasks"])
    assert checked >= min_results, f"{what}: only {checked} results recomputed"
    assert all(t["checked"] for t in s["tasks"])
    return verdict


# ---- dumps, read and written by the tests (harness/history/topic_dump.h) -------

HEADER = struct.Struct("<8sIiqHH4x")  # 32 bytes, then the name
RECORD = struct.Struct("<qqii")


def read_dump(path):
    """(topic, partition, log_start, [(offset, ts, key, value)], end or None)."""
    data = Path(path).read_bytes()
    magic, version, part, start, nlen, _ = HEADER.unpack_from(data, 0)
    assert magic == b"SPDUMP01" and version == 1
    pos = HEADER.size
    topic = data[pos:pos + nlen].decode()
    pos += nlen
    recs, end = [], None
    while pos < len(data):
        off, ts, kl, vl = RECORD.unpack_from(data, pos)
        pos += RECORD.size
        if off == -1 and kl == -1 and vl == -1:
            end = ts
            break
        key = data[pos:pos + kl] if kl >= 0 else None
        pos += max(kl, 0)
        value = data[pos:pos + vl] if vl >= 0 else None
        pos += max(vl, 0)
        recs.append((off, ts, key, value))
    return topic, part, start, recs, end


def write_dump(path, topic, part, start, recs, end):
    name = topic.encode()
    out = bytearray(HEADER.pack(b"SPDUMP01", 1, part, start, len(name), 0) + name)
    for off, ts, key, value in recs:
        out += RECORD.pack(off, ts, -1 if key is None else len(key), -1 if value is None else len(value))
        out += (key or b"") + (value or b"")
    if end is not None:
        out += RECORD.pack(-1, end, -1, -1)
    Path(path).write_bytes(bytes(out))


# ---- the jobs ------------------------------------------------------------------

HEAD = """name: {name}
time: {{out_of_orderness_ms: 30, allowed_lateness_ms: {lateness}{time_extra}}}
sources:
  - {{name: in, topic: in, format: {fmt}}}
{other}pipeline:
{pipeline}
sinks: {{output: out-{name}, late: late-{name}, errors: bad-{name}}}
"""

OTHER = "  - {{name: other, topic: other, format: json{extra}}}\n"

# kind -> (pipeline, allowed lateness, second source extra or None, format, time extra)
JOBS = {
    "tumbling": ("  - filter: {field: value, gt: -30}\n"
                 "  - window: {type: tumbling, size_ms: 200}", 100, None, "json", ""),
    "hopping": ("  - window: {type: hopping, size_ms: 200, advance_ms: 50, aggregate: [count, sum],"
                " value: sum}", 0, None, "json", ""),
    "hopping-offset": ("  - window: {type: hopping, size_ms: 90, advance_ms: 30, offset_ms: 7}",
                       40, None, "json", ""),
    "sliding": ("  - window: {type: sliding, size_ms: 100}", 60, None, "json", ""),
    "session": ("  - window: {type: session, gap_ms: 50}", 80, None, "json", ""),
    "session-exact": ("  - window: {type: session, gap_ms: 20, aggregate: [min, max]}", 0, None,
                      "json", ""),
    "count-tumbling": ("  - window: {type: tumbling, by: count, size: 4}", 0, None, "json", ""),
    "count-hopping": ("  - window: {type: hopping, by: count, size: 5, advance: 2}\n"
                      "  - filter: {field: sum, gt: 0}", 0, None, "json", ""),
    "count-sliding": ("  - window: {type: sliding, by: count, size: 3, value: max}", 0, None,
                      "json", ""),
    "window-of-windows": ("  - window: {type: tumbling, size_ms: 20}\n"
                          "  - window: {type: tumbling, size_ms: 100, aggregate: [count, sum]}",
                          30, None, "json", ""),
    "reorder-pattern": ("  - reorder: {}\n"
                        "  - pattern: {first: {field: type, eq: login}, then: {field: type, eq: buy},"
                        " within_ms: 50, emit: both}", 20, None, "json", ""),
    "pattern": ("  - pattern: {first: {field: value, gt: 50}, then: {field: value, lt: 0},"
                " within_ms: 40, emit: both}", 10, None, "json", ""),
    "threshold": ("  - transform: {value: value, value_mul: 3, value_add: -7}\n"
                  "  - threshold: {above: 100, mode: crossing, emit_fall: true}", 0, None, "json", ""),
    "filter-transform": ("  - filter: {any: [{field: type, eq: buy}, {field: value, mod: 7, eq: 3}]}\n"
                         "  - transform: {key: type}\n"
                         "  - threshold: {above: 0}", 0, None, "json", ""),
    "join-left": ("  - join: {with: other, type: left, before_ms: 30, after_ms: 20}", 40, "",
                  "json", ""),
    "join-inner": ("  - filter: {field: value, gt: -20}\n"
                   "  - join: {with: other, within_ms: 25}", 0, "", "json", ""),
    "enrich": ("  - enrich: {table: other, type: left}", 0,
               ", idle_timeout_ms: 100, idle_advance: inputs", "json", ""),
    "identity": ("  - window: {type: tumbling, size_ms: 50, aggregate: [count, min, max]}", 20,
                 None, "identity", ""),
}


def job_text(kind, name=None):
    pipeline, lateness, other, fmt, time_extra = JOBS[kind]
    return HEAD.format(name=name or kind, lateness=lateness, time_extra=time_extra, fmt=fmt,
                       other=OTHER.format(extra=other) if other is not None else "",
                       pipeline=pipeline)


def job_topics(kind, name=None):
    name = name or kind
    topics = ["in", f"out-{name}", f"late-{name}", f"bad-{name}"]
    if JOBS[kind][2] is not None:
        topics.append("other")
    return topics


def feed(bs, kind, count, seed=1, first=0):
    """Input with disorder and late events (refstream-gen), and for json
    inputs one undecodable record, so the errors sink is checked too."""
    fmt = JOBS[kind][3]
    gen(bs, "in", count, first=first, fmt=fmt, keys=9, seed=seed, disorder_ms=40,
        late_every=37, late_ms=300, step_ms=3)
    if first == 0:
        produce(bs, "in", [(0, b"k1", b"{not json"), (1, None, b"[1, 2]")])
    if JOBS[kind][2] is not None:
        gen(bs, "other", count // 2, first=first, seed=seed + 1, keys=9, disorder_ms=40,
            late_every=29, late_ms=300, step_ms=6)


# ---- tests -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(JOBS))
def test_oracle_agrees_with_refstream(broker, tmp_path, kind):
    bs = broker.bootstrap
    create_topic(bs, "in", 2)
    if JOBS[kind][2] is not None:
        create_topic(bs, "other", 2)
    feed(bs, kind, 3000)
    job = write_job(tmp_path / "job.yaml", job_text(kind))
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs.log")
    run = results_folder(tmp_path, "run", job_text(kind), bs, job_topics(kind))
    verdict = assert_agrees(run, kind, min_results=10)
    s = verdict["stream"]
    assert s["totals"]["expected"]["errors"] == 2  # the two undecodable records
    if kind in ("tumbling", "session", "hopping", "pattern", "join-left"):
        late = sum(t["late"] for t in s["tasks"])
        assert late > 0, f"{kind}: the input had no late events for this job"


def test_oracle_flags_refstream_empty_sliding_window(broker, tmp_path):
    """The smallest input that shows the sliding-window discrepancy: key a at
    times 10, 30, then 5 (out of order, accepted with allowed lateness),
    then 200. Window a@30 covers (-70, 30]: times 10, 30 and 5, so count 3,
    sum 8 (README "sliding"); refstream writes it with count 0."""
    bs = broker.bootstrap
    create_topic(bs, "in", 1)
    recs = [(0, b"a", json.dumps({"key": "a", "ts": t, "value": v}).encode())
            for t, v in ((10, 1), (30, 3), (5, 4), (200, 5))]
    produce(bs, "in", recs)
    text = """name: slide
time: {out_of_orderness_ms: 20, allowed_lateness_ms: 30}
sources:
  - {name: in, topic: in, format: json}
pipeline:
  - window: {type: sliding, size_ms: 100}
sinks: {output: out}
"""
    job = write_job(tmp_path / "job.yaml", text)
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs.log")
    run = results_folder(tmp_path, "run", text, bs, ["in", "out"])
    rc, verdict, out = check(run)
    written = {r["id"]: r for r in read_json(bs, "out")[0]}
    empty = [i for i, r in written.items() if r.get("count") == 0]
    if not empty:
        pytest.skip("refstream no longer writes empty sliding windows: nothing to flag")
    assert rc == 1 and verdict["verdict"] == "invalid"
    flagged = {ex["id"] for ex in examples(verdict, "wrong-value")}
    assert flagged == set(empty) == {"w/0/-69/31/0/a"}, out
    detail = examples(verdict, "wrong-value")[0]["detail"]
    assert "count: expected 3, got 0" in detail and "sum: expected 8, got 0" in detail


def test_oracle_agrees_with_processing_time_and_idle_marks(broker, tmp_path):
    """Processing time (proc marks) and idle_advance: end (idle marks): the
    results depend on refstream's clock decisions, which it writes as marks;
    the oracle applies them and must agree exactly."""
    bs = broker.bootstrap
    create_topic(bs, "in", 2)
    jobs = {
        "proc": """name: proc
time: {mode: processing, processing_tick_ms: 20}
sources:
  - {name: in, topic: in, format: json}
pipeline:
  - window: {type: hopping, size_ms: 100, advance_ms: 50}
sinks: {output: out-proc}
""",
        "idle": """name: idle
time: {out_of_orderness_ms: 10}
sources:
  - {name: in, topic: in, format: json, idle_timeout_ms: 150, idle_advance: end}
pipeline:
  - window: {type: session, gap_ms: 30}
sinks: {output: out-idle, late: late-idle}
""",
    }
    procs = {}
    for name, text in jobs.items():
        procs[name] = Refstream(write_job(tmp_path / f"{name}.yaml", text), bs, tmp_path / f"st-{name}",
                                tmp_path / f"{name}.log")
    for chunk in range(4):  # input arrives over time, so the clocks move between records
        gen(bs, "in", 300, first=chunk * 300, seed=3, keys=5, disorder_ms=20, late_every=41, late_ms=200)
        time.sleep(0.3 * SLOWDOWN)
    time.sleep(1.5 * SLOWDOWN)  # idle timeouts fire the last windows
    for p in procs.values():
        assert p.stop() == 0
    marks = 0
    for name, text in jobs.items():
        topics = ["in", f"out-{name}"] + ([f"late-{name}"] if name == "idle" else [])
        run = results_folder(tmp_path, f"run-{name}", text, bs, topics)
        verdict = assert_agrees(run, name, min_results=10)
        marks += verdict["stream"]["totals"]["marks_applied"]
        if name == "idle":  # every session fired: nothing left pending
            assert verdict["stream"]["totals"]["pending"] == 0
    assert marks > 0


def tamper(run, topic, part, fn):
    """Rewrites one output dump with fn(list of (offset, ts, key, value)) ."""
    path = run / "stream" / f"{topic}-{part}.dump"
    t, p, start, recs, end = read_dump(path)
    recs, end = fn(recs, end)
    write_dump(path, t, p, start, recs, end)


def window_records(recs):
    return [i for i, r in enumerate(recs) if json.loads(r[3]).get("kind") == "window"]


def test_tampered_output_dumps_are_caught(broker, tmp_path):
    bs = broker.bootstrap
    create_topic(bs, "in", 2)
    feed(bs, "tumbling", 2000)
    text = job_text("tumbling")
    job = write_job(tmp_path / "job.yaml", text)
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs.log")
    topics = job_topics("tumbling")
    assert_agrees(results_folder(tmp_path, "clean", text, bs, topics), "clean")

    def changed_sum(recs, end):
        i = window_records(recs)[3]
        o = json.loads(recs[i][3])
        o["sum"] += 1
        recs[i] = recs[i][:3] + (json.dumps(o, separators=(",", ":")).encode(),)
        return recs, end

    def dropped(recs, end):
        del recs[window_records(recs)[2]]
        return recs, end

    def duplicated(recs, end):
        i = window_records(recs)[5]
        recs.insert(i + 1, recs[i])
        return recs, end

    def recounted(recs, end):
        """a window that counts one of its offsets twice (n and oh)"""
        for i in window_records(recs):
            o = json.loads(recs[i][3])
            if o["n"] >= 2:
                mask = (1 << 64) - 1
                z = (o["first"] + 0x9e3779b97f4a7c15) & mask
                z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & mask
                z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & mask
                z ^= z >> 31
                o["n"] += 1
                o["oh"] = "%016x" % ((int(o["oh"], 16) + z) & mask)
                recs[i] = recs[i][:3] + (json.dumps(o).encode(),)
                return recs, end, o["first"]
        raise AssertionError("no window with two records")

    cases = [
        ("sum", "out-tumbling", changed_sum, {"wrong-value": 1}, "sum: expected"),
        ("drop", "out-tumbling", dropped, {"missing": 1, "offset-coverage": 1, "wrong-seq": 1}, None),
        ("dup", "out-tumbling", duplicated, {"duplicate-id": 1, "wrong-seq": 1}, None),
    ]
    for name, topic, fn, want, text_in in cases:
        run = results_folder(tmp_path, name, text, bs, topics)
        tamper(run, topic, 0, fn)
        rc, verdict, out = check(run)
        assert rc == 1 and verdict["verdict"] == "invalid", out[-3000:]
        assert findings(verdict) == want, (name, out[-3000:])
        if text_in:
            assert text_in in examples(verdict, next(iter(want)))[0]["detail"]
    # a window counting an offset twice: named
    run = results_folder(tmp_path, "twice", text, bs, topics)
    twice = {}

    def rec(recs, end):
        recs, end, off = recounted(recs, end)
        twice["offset"] = off
        return recs, end

    tamper(run, "out-tumbling", 1, rec)
    rc, verdict, out = check(run)
    assert rc == 1
    assert findings(verdict) == {"wrong-coverage": 1, "offset-coverage": 1}, out[-3000:]
    assert f"input offset {twice['offset']} counted once too often" in \
        examples(verdict, "wrong-coverage")[0]["detail"]
    # a late record removed
    run = results_folder(tmp_path, "nolate", text, bs, topics)
    _, _, _, lrecs, _ = read_dump(run / "stream" / "late-tumbling-0.dump")
    assert lrecs, "no late record to remove"
    tamper(run, "late-tumbling", 0, lambda recs, end: (recs[1:], end))
    rc, verdict, out = check(run)
    assert rc == 1
    assert findings(verdict) == {"missing": 1, "offset-coverage": 1}, out[-3000:]
    assert examples(verdict, "missing")[0]["sink"] == "late"
    # an output dump cut short (no trailer): unknown, not valid
    run = results_folder(tmp_path, "cut", text, bs, topics)
    tamper(run, "out-tumbling", 1, lambda recs, end: (recs[: len(recs) // 2], None))
    rc, verdict, out = check(run)
    assert rc == 2 and verdict["verdict"] == "unknown", out[-3000:]
    assert findings(verdict) == {}
    assert any("ends without its trailer" in g for g in verdict["incomplete"])


def test_sp_dump_copies_partitions_exactly(broker, tmp_path):
    bs = broker.bootstrap
    create_topic(bs, "t", 3)
    rng = random.Random(4)
    sent = {0: [], 1: [], 2: []}
    recs = []
    for i in range(300):
        part = rng.randrange(2)  # partition 2 stays empty
        key = None if i % 7 == 0 else f"k{i}".encode()
        value = None if i % 11 == 0 else bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        recs.append((part, key, value))
        sent[part].append((key, value))
    produce(bs, "t", recs)
    out = tmp_path / "dumps"
    out.mkdir()
    line = sp_dump(bs, "t", out)
    assert "3 partition(s), 3 complete, 300 records" in line
    for part in range(3):
        topic, p, start, got, end = read_dump(out / f"t-{part}.dump")
        assert (topic, p, start) == ("t", part, 0)
        assert [(k, v) for _, _, k, v in got] == sent[part]
        assert [o for o, _, _, _ in got] == list(range(len(sent[part])))
        assert end == len(sent[part])  # the trailer: the copy is complete
    bad = subprocess.run([test_binary("sp-dump"), "--bootstrap", bs, "--topic", "nosuch",
                          "--out", str(out), "--timeout-ms", "3000"], capture_output=True, text=True)
    assert bad.returncode == 1 and "nosuch" in bad.stderr
    usage = subprocess.run([test_binary("sp-dump"), "--topic", "t"], capture_output=True, text=True)
    assert usage.returncode == 2 and "--bootstrap" in usage.stderr


# Odd inputs and the README's field rules: reserved names, JSON scalars,
# keys of every JSON type, whole reals, duplicate members, null payloads,
# missing fields, mathematical mod, quoted and unquoted constants.
ODD_INPUTS = [
    (b"a", {"key": "a", "ts": 1, "value": 3, "flag": True, "seq": 7, "count": 2, "user": {"id": 5}}),
    (b"b", {"key": "b", "ts": 2, "value": -5, "flag": False, "seq": 8, "count": 9, "user": {"id": "x"}}),
    (None, {"key": 17, "ts": 3.0, "value": 4.0, "tag": "7"}),
    (b"k", {"key": 1.5, "ts": 4, "value": 1}),              # key neither string nor integer: bad
    (b"k", {"key": "c", "ts": 4.5, "value": 1}),            # time with a fraction: bad
    (b"k", {"key": "c", "ts": 5, "value": 2.5}),            # value with a fraction: bad
    (b"k", {"key": "c", "ts": 6}),                          # no value: bad
    (None, {"ts": 7, "value": -7, "tag": 7}),               # no key: ""
    (b"z", {"key": None, "ts": 8, "value": 9223372036854775807, "flag": None}),
    (b"dup", b'{"key":"d","ts":9,"value":1,"value":2}'),    # duplicate member: bad
    (b"arr", b"[1,2,3]"),                                   # not an object: bad
    (b"t", None),                                           # a tombstone where none is allowed: bad
    (b"e", {"key": "e", "ts": 10, "value": 0, "tag": 7.0}),
]

ODD_JOBS = {
    "reserved": "  - filter: {any: [{field: seq, eq: 7}, {field: count, eq: 9}, {field: payload.seq, eq: 8}]}",
    "scalars": "  - filter: {any: [{field: flag, eq: true}, {field: flag, eq: 1}, {field: tag, eq: '7'}]}",
    "numbers": "  - filter: {field: tag, in: [7, x]}",
    "mod": "  - filter: {field: value, mod: 4, eq: 1}",
    "missing": "  - filter: {field: nothing, ne: 0}",
    "not-missing": "  - filter: {not: {field: nothing, eq: 0}}",
    "nested": "  - filter: {field: user.id, ge: 5}",
    "transform": "  - transform: {key: user.id, value: seq, value_mul: -3, value_add: 1}",
    "transform-ignored": "  - transform: {value_mul: 2}",
    "kafka": "  - filter: {field: kafka_key, ge: b}\n  - transform: {key: kafka_key}",
    "level": "  - threshold: {field: count, above: 5}",
}


ODD_SOURCES = {"kafka-time": ", key: kafka_key, time: kafka_timestamp, value: one"}


@pytest.mark.parametrize("kind", sorted(ODD_JOBS) + ["kafka-time"])
def test_oracle_agrees_on_field_rules_and_odd_inputs(broker, tmp_path, kind):
    bs = broker.bootstrap
    create_topic(bs, "in", 1)
    produce(bs, "in", [(0, k, v if v is None or isinstance(v, bytes) else json.dumps(v).encode())
                       for k, v in ODD_INPUTS])
    text = f"""name: odd-{kind}
sources:
  - {{name: in, topic: in, format: json{ODD_SOURCES.get(kind, "")}}}
pipeline:
{ODD_JOBS.get(kind, "  - filter: {field: one, eq: 1}")}
sinks: {{output: out, errors: bad}}
"""
    job = write_job(tmp_path / "job.yaml", text)
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs.log")
    run = results_folder(tmp_path, "run", text, bs, ["in", "out", "bad"])
    if kind == "kafka-time":
        # README: value `one` is "always 1"; refstream (at this commit) gives
        # the tombstone (offset 11, a valid record here) the value 0. The
        # oracle must flag exactly that record, and agree on everything else.
        rc, verdict, out = check(run)
        f = findings(verdict)
        if f:
            assert f == {"wrong-value": 1}, out[-3000:]
            ex = examples(verdict, "wrong-value")[0]
            assert ex["id"] == "e/0/0/11" and ex["detail"] == "value: expected 1, got 0", ex
            return
    verdict = assert_agrees(run, kind, min_results=0)
    # key and time from Kafka: only the records that are not JSON objects are bad
    assert verdict["stream"]["totals"]["expected"]["errors"] == (2 if kind in ODD_SOURCES else 7)


IDENTITY_JOBS = {
    "writer-size": (", key: writer, value: size", "  - window: {type: tumbling, size_ms: 30, aggregate: [sum]}"),
    "topic-keyid": (", key: topic, value: key_id", "  - filter: {field: key_id, mod: 3, ne: 0}"),
    "kafka": (", key: kafka_key, time: kafka_timestamp, value: event_time_ms",
              "  - filter: {field: seq, lt: 300}"),
    "none-one": (", key: none, value: one", "  - window: {type: session, gap_ms: 5}"),
    "fields": ("", "  - filter: {all: [{field: writer, ge: 0}, {field: size, eq: 120}, {field: topic, eq: 0},"
                   " {field: event_time_ms, gt: 0}, {field: offset, ge: 0}, {field: partition, ge: 0}]}"),
}


@pytest.mark.parametrize("kind", sorted(IDENTITY_JOBS))
def test_oracle_agrees_on_identity_selectors(broker, tmp_path, kind):
    bs = broker.bootstrap
    create_topic(bs, "ids", 2)
    gen(bs, "ids", 1500, fmt="identity", keys=7, seed=9, disorder_ms=20, late_every=31, late_ms=100,
        extra=["--size", "120"])
    produce(bs, "ids", [(0, b"x", b"\x53\x50\x4d\x31 too short")])  # bad magic size: an error record
    source, pipeline = IDENTITY_JOBS[kind]
    text = f"""name: id-{kind}
time: {{out_of_orderness_ms: 10}}
sources:
  - {{name: in, topic: ids, format: identity{source}}}
pipeline:
{pipeline}
sinks: {{output: out, late: late, errors: bad}}
"""
    job = write_job(tmp_path / "job.yaml", text)
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs.log")
    run = results_folder(tmp_path, "run", text, bs, ["ids", "out", "late", "bad"])
    verdict = assert_agrees(run, kind, min_results=5)
    assert verdict["stream"]["totals"]["expected"]["errors"] == 1
