"""refstream end to end against refbroker: a job's results checked against
an independent recomputation, restarts without duplicates, clean shutdown,
job errors, checkpoint corruption, identity-format input.

The helpers here (refstream processes, input generation, reading topics,
comparing outputs) are shared with test_refstream_crash.py.
"""
import json
import os
import re
import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import REPO, SLOWDOWN, Proc, binary, wait_for

READY_RE = re.compile(r"ready: job \S+, (\d+) task")


# ---- helpers ----------------------------------------------------------------

def create_topic(bootstrap, name, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    for f in fs.values():
        f.result(timeout=10 * SLOWDOWN)


def gen(bootstrap, topic, count, first=0, fmt="json", keys=20, seed=1, disorder_ms=40,
        late_every=0, late_ms=0, step_ms=3, extra=()):
    """Writes records [first, first+count) with refstream-gen (deterministic)."""
    argv = [binary("refstream-gen"), "--bootstrap", bootstrap, "--topic", topic,
            "--count", count, "--first", first, "--format", fmt, "--keys", keys,
            "--seed", seed, "--disorder-ms", disorder_ms, "--step-ms", step_ms,
            "--late-every", late_every, "--late-ms", late_ms, *extra]
    out = subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                         timeout=120 * SLOWDOWN)
    assert out.returncode == 0, out.stderr + out.stdout


def produce(bootstrap, topic, records):
    """records: list of (partition, key bytes or None, value bytes or None)."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5})
    for part, key, value in records:
        p.produce(topic, value=value, key=key, partition=part)
    assert p.flush(30 * SLOWDOWN) == 0


def read_topic(bootstrap, topic):
    """Every record of every partition: {partition: [value, ...]} in offset order."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "refstream-test-reader",
                  "enable.auto.commit": False, "enable.partition.eof": True})
    md = c.list_topics(topic, timeout=10 * SLOWDOWN)
    parts = sorted(md.topics[topic].partitions)
    out = {p: [] for p in parts}
    ends = {}
    assign = []
    for p in parts:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10 * SLOWDOWN)
        ends[p] = hi
        if hi > lo:
            assign.append(TopicPartition(topic, p, lo))
    c.assign(assign)
    left = {tp.partition for tp in assign}
    deadline = time.monotonic() + 60 * SLOWDOWN
    while left and time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            continue
        out[m.partition()].append(m.value())
        if m.offset() + 1 >= ends[m.partition()]:
            left.discard(m.partition())
    c.close()
    assert not left, f"could not read {topic} partitions {left} to the end"
    return out


def read_json(bootstrap, topic):
    return {p: [json.loads(v) for v in vals] for p, vals in read_topic(bootstrap, topic).items()}


class Refstream(Proc):
    """A refstream process; waits for its 'ready' line unless told not to."""

    def __init__(self, job_path, bootstrap, state_dir, log_path, args=(), env=None, wait=True,
                 wrapper=()):
        argv = [*wrapper, binary("refstream"), "--job", job_path, "--bootstrap", bootstrap,
                "--state-dir", state_dir, "--stats-interval-ms", "0", *args]
        full_env = {"SP_LOG_LEVEL": "info"}
        full_env.update(env or {})
        super().__init__(argv, log_path, env=full_env)
        if wait:
            wait_for(lambda: "ready: job" in self.output() or not self.alive(), 60,
                     f"refstream to be ready (log {log_path})")
            assert self.alive() or self.popen.poll() == 0, self.output()[-3000:]


def run_to_end(job_path, bootstrap, state_dir, log_path, args=(), timeout_s=120):
    """Runs refstream with --stop-at-end; asserts exit 0; returns its log."""
    p = Refstream(job_path, bootstrap, state_dir, log_path, args=["--stop-at-end", *args],
                  wait=False)
    try:
        rc = p.wait(timeout_s)
    except subprocess.TimeoutExpired:
        p.kill9()
        pytest.fail(f"refstream did not finish in {timeout_s}s:\n{p.output()[-3000:]}")
    out = p.output()
    p.log.close()
    assert rc == 0, f"refstream exited {rc}:\n{out[-4000:]}"
    return out


def require_fiu():
    """Skips a test that arms fault points when refstream was built without
    libfiu (-DFIU_ENABLE=OFF: the points compile to nothing)."""
    out = subprocess.run(["ldd", binary("refstream")], capture_output=True, text=True).stdout
    if "libfiu" not in out:
        pytest.skip("refstream built without FIU_ENABLE")


def fiu_env(tmp_path):
    """Environment for refstream under fiu-run in a sanitizer build: the
    preload must not come first, and its own allocation (outside refstream)
    is not reported as a leak."""
    supp = tmp_path / "lsan.supp"
    supp.write_text("leak:fiu_run_preload.so\n")
    return {"ASAN_OPTIONS": "abort_on_error=1:detect_leaks=1:verify_asan_link_order=0",
            "LSAN_OPTIONS": f"suppressions={supp}"}


def write_job(path, text):
    Path(path).write_text(text)
    return str(path)


def results(bootstrap, topic):
    """Output records without marks, per partition, as canonical JSON text."""
    return {p: [json.dumps(r, sort_keys=True) for r in recs if r["kind"] != "marks"]
            for p, recs in read_json(bootstrap, topic).items()}


def assert_same_results(got, want, what):
    """Two runs wrote the same records in the same order in every partition."""
    assert sorted(got) == sorted(want), f"{what}: partitions differ"
    for p in want:
        g, w = got[p], want[p]
        if g != w:
            ids_g = [json.loads(x)["id"] for x in g]
            ids_w = [json.loads(x)["id"] for x in w]
            dup = sorted({i for i in ids_g if ids_g.count(i) > 1})
            missing = sorted(set(ids_w) - set(ids_g))
            extra = sorted(set(ids_g) - set(ids_w))
            first = next((i for i, (a, b) in enumerate(zip(g, w)) if a != b), min(len(g), len(w)))
            pytest.fail(f"{what}: partition {p}: {len(g)} records, want {len(w)}; "
                        f"duplicated ids {dup[:5]}, missing {missing[:5]}, extra {extra[:5]}; "
                        f"first difference at {first}:\n got  {g[first] if first < len(g) else None}"
                        f"\n want {w[first] if first < len(w) else None}")


# ---- an independent recomputation for the basic case ------------------------

def tumbling_oracle(records, size_ms, ooo_ms):
    """records: [(offset, key, ts, value)] of one partition in offset order.
    Recomputes README.md's tumbling-window rules (lateness 0): watermark
    W = max ts - ooo - 1 after each record; a record is added to its window
    [s, s+size) unless W_before >= s + size - 1 (then it is late); a window
    fires when W >= end - 1, windows of one advance in (end, start, key)
    order. Returns (results, late offsets)."""
    wm = None
    open_w = {}
    out, late = [], []
    for off, key, ts, value in records:
        s = ts - ts % size_ms
        if wm is not None and wm >= s + size_ms - 1:
            late.append(off)
        else:
            w = open_w.setdefault((s, key), {"count": 0, "sum": 0, "min": None, "max": None,
                                             "offs": []})
            w["count"] += 1
            w["sum"] += value
            w["min"] = value if w["min"] is None else min(w["min"], value)
            w["max"] = value if w["max"] is None else max(w["max"], value)
            w["offs"].append(off)
        new = ts - ooo_ms - 1
        if wm is None or new > wm:
            wm = new
            due = sorted((k for k in open_w if k[0] + size_ms - 1 <= wm),
                         key=lambda k: (k[0] + size_ms, k[0], k[1].encode()))
            for k in due:
                w = open_w.pop(k)
                out.append({"key": k[1], "start": k[0], "end": k[0] + size_ms,
                            "count": w["count"], "sum": w["sum"], "min": w["min"],
                            "max": w["max"], "first": min(w["offs"]), "last": max(w["offs"]),
                            "n": len(w["offs"]), "through": off + 1})
    return out, late


# ---- tests -----------------------------------------------------------------

JOB_TUMBLING = """
name: tumble
time: {out_of_orderness_ms: 30}
sources:
  - {name: in, topic: in, format: json}
pipeline:
  - window: {type: tumbling, size_ms: 100}
sinks: {output: out, late: late}
"""


def test_tumbling_job_matches_independent_recomputation(broker, tmp_path):
    bs = broker.bootstrap
    create_topic(bs, "in", 2)
    gen(bs, "in", 3000, keys=7, late_every=50, late_ms=400)
    job = write_job(tmp_path / "job.yaml", JOB_TUMBLING)
    log = run_to_end(job, bs, tmp_path / "state", tmp_path / "rs.log")
    assert "stopped: records=3000" in log
    inputs = read_topic(bs, "in")
    outs = read_json(bs, "out")
    lates = read_json(bs, "late")
    total_late = 0
    for p, vals in inputs.items():
        recs = []
        for off, v in enumerate(vals):
            o = json.loads(v)
            recs.append((off, o["key"], o["ts"], o["value"]))
        want, want_late = tumbling_oracle(recs, 100, 30)
        task_out = [r for r in outs[p] if r["kind"] == "window"]
        assert len(task_out) == len(want) > 0
        for got, w in zip(task_out, want):
            for k, v in w.items():
                assert got[k] == v, (p, k, got, w)
            assert got["id"] == f"w/{p}/{w['start']}/{w['end']}/0/{w['key']}"
            assert got["task"] == p and got["p"] == p and got["rev"] == 0
        assert [r["seq"] for r in task_out] == list(range(len(task_out)))
        assert [r["offset"] for r in lates[p]] == want_late
        total_late += len(want_late)
    assert total_late > 10


def test_restart_resumes_without_duplicates(broker, tmp_path):
    """Two runs over a growing input write exactly what one run over the
    whole input writes."""
    bs = broker.bootstrap
    create_topic(bs, "in", 2)
    job = write_job(tmp_path / "job.yaml", JOB_TUMBLING)
    gen(bs, "in", 2000)
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs1.log")
    gen(bs, "in", 2000, first=2000)
    log = run_to_end(job, bs, tmp_path / "state", tmp_path / "rs2.log")
    assert "recovered: checkpoint" in log
    got = results(bs, "out")
    job2 = write_job(tmp_path / "job2.yaml", JOB_TUMBLING.replace("output: out", "output: out2")
                     .replace("late: late", "late: late2"))
    run_to_end(job2, bs, tmp_path / "state2", tmp_path / "rs3.log")
    assert_same_results(got, results(bs, "out2"), "restarted run vs one run")


def test_sigterm_writes_a_final_checkpoint_and_exits_zero(broker, tmp_path):
    bs = broker.bootstrap
    create_topic(bs, "in", 1)
    gen(bs, "in", 500)
    job = write_job(tmp_path / "job.yaml", JOB_TUMBLING)
    p = Refstream(job, bs, tmp_path / "state", tmp_path / "rs.log",
                  args=["--checkpoint-interval-ms", "60000"])
    wait_for(lambda: len(read_topic(bs, "out")[0]) > 0, 30, "first results")
    assert p.stop() == 0, p.log_path.read_text()
    assert "stopped: records=500" in p.log_path.read_text()
    ckpts = sorted(os.listdir(tmp_path / "state"))
    assert ckpts == ["checkpoint-00000000000000000001.ckpt", "checkpoint-00000000000000000002.ckpt"]
    log = run_to_end(job, bs, tmp_path / "state", tmp_path / "rs2.log")
    assert "recovered: checkpoint 2" in log and "stopped: records=0" in log


def test_bad_job_file_names_file_line_and_key(tmp_path):
    job = write_job(tmp_path / "bad.yaml", "name: x\nsources:\n  - {name: in, topic: in, format: csv}\n"
                    "pipeline: []\nsinks: {output: out}\n")
    out = subprocess.run([binary("refstream"), "--job", job, "--bootstrap", "127.0.0.1:1",
                          "--state-dir", str(tmp_path / "s")], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 2
    assert f"{job}:3:35: sources[0].format: 'csv' is not one of: identity, json" in out.stderr
    out = subprocess.run([binary("refstream"), "--check-job", "--job", job], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 2 and "sources[0].format" in out.stderr
    out = subprocess.run([binary("refstream"), "--bogus"], capture_output=True, text=True)
    assert out.returncode == 2 and "unknown argument '--bogus'" in out.stderr
    out = subprocess.run([binary("refstream"), "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--state-dir" in out.stdout


def test_fault_point_list_matches_the_registry_header():
    header = (REPO / "reference/stream/fault_points.h").read_text()
    names = re.findall(r'#define FP_\w+ "(refstream/[^"]+)"', header)
    out = subprocess.run([binary("refstream"), "--list-fault-points"], capture_output=True,
                         text=True, check=True).stdout
    listed = [line.split()[0] for line in out.splitlines()]
    assert sorted(listed) == sorted(names) and len(names) >= 10
    for required in ("refstream/sink/after-write-before-checkpoint", "refstream/checkpoint/mid-write",
                     "refstream/checkpoint/after-rename-before-commit"):
        assert required in listed


def test_corrupt_newest_checkpoint_falls_back_loudly(broker, tmp_path):
    bs = broker.bootstrap
    create_topic(bs, "in", 1)
    job = write_job(tmp_path / "job.yaml", JOB_TUMBLING)
    gen(bs, "in", 1000)
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs1.log")
    newest = sorted((tmp_path / "state").iterdir())[-1]
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0x40
    newest.write_bytes(bytes(data))
    gen(bs, "in", 1000, first=1000)
    log = run_to_end(job, bs, tmp_path / "state", tmp_path / "rs2.log")
    assert f"{newest} is invalid: CRC mismatch" in log
    assert "an older checkpoint" in log
    got = results(bs, "out")
    job2 = write_job(tmp_path / "job2.yaml", JOB_TUMBLING.replace("output: out", "output: out2")
                     .replace("late: late", "late: late2"))
    run_to_end(job2, bs, tmp_path / "state2", tmp_path / "rs3.log")
    assert_same_results(got, results(bs, "out2"), "after a corrupt checkpoint")


def test_all_checkpoints_corrupt_starts_over_without_duplicates(broker, tmp_path):
    bs = broker.bootstrap
    create_topic(bs, "in", 1)
    job = write_job(tmp_path / "job.yaml", JOB_TUMBLING)
    gen(bs, "in", 1000)
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs1.log")
    for f in (tmp_path / "state").iterdir():
        f.write_bytes(b"garbage")
    log = run_to_end(job, bs, tmp_path / "state", tmp_path / "rs2.log")
    assert "NO VALID CHECKPOINT" in log
    got = results(bs, "out")
    ids = [json.loads(r)["id"] for r in got[0]]
    assert len(ids) == len(set(ids)) > 0


def test_identity_messages_count_per_key(broker, tmp_path):
    """streamproof messages (the identity header) as input: per-key counts
    in 1 s windows add up to every record exactly once."""
    bs = broker.bootstrap
    create_topic(bs, "ids", 3)
    gen(bs, "ids", 6000, fmt="identity", keys=30, disorder_ms=0, step_ms=1, extra=["--size", "120"])
    job = write_job(tmp_path / "job.yaml", """
name: idcount
time: {out_of_orderness_ms: 0, }
sources:
  - {name: in, topic: ids, format: identity, idle_timeout_ms: 200, idle_advance: end}
pipeline:
  - window: {type: tumbling, size_ms: 1000, aggregate: [count]}
sinks: {output: counts}
""")
    p = Refstream(job, bs, tmp_path / "state", tmp_path / "rs.log")
    # the idle input is advanced to the end of time, so every window fires
    wait_for(lambda: sum(r["n"] for recs in read_json(bs, "counts").values() for r in recs
                         if r["kind"] == "window") >= 6000, 60, "every record counted")
    assert p.stop() == 0
    recs = [r for rs in read_json(bs, "counts").values() for r in rs]
    windows = [r for r in recs if r["kind"] == "window"]
    assert sum(r["count"] for r in windows) == 6000
    assert len({r["id"] for r in windows}) == len(windows)
    assert {r["key"] for r in windows} == {str(k) for k in range(30)}
    marks = [m for r in recs if r["kind"] == "marks" for m in r["marks"]]
    assert marks and all(m["type"] == "idle" for m in marks)


@pytest.mark.needs_fiu
def test_checkpoint_write_errors_are_retried_and_cost_nothing(broker, tmp_path):
    """Checkpoints that fail with ENOSPC (libfiu, the checkpoint/mid-write
    point in fail mode) are logged and retried, and a run whose final
    checkpoint fails exits 1; the next start recovers exactly-once."""
    require_fiu()
    bs = broker.bootstrap
    create_topic(bs, "in", 1)
    job = write_job(tmp_path / "job.yaml", JOB_TUMBLING)
    gen(bs, "in", 1000)
    run_to_end(job, bs, tmp_path / "state", tmp_path / "rs1.log")
    before = sum(len(v) for v in read_topic(bs, "out").values())
    gen(bs, "in", 2000, first=1000)
    p = Refstream(job, bs, tmp_path / "state", tmp_path / "rs2.log", env=fiu_env(tmp_path),
                  args=["--checkpoint-interval-ms", "20"],
                  wrapper=["fiu-run", "-f", str(tmp_path / "fiu"), "-c",
                           "enable name=refstream/checkpoint/mid-write,failnum=1,failinfo=28"])
    wait_for(lambda: "retrying at the next interval" in p.output(), 30, "a failed checkpoint")
    wait_for(lambda: sum(len(v) for v in read_topic(bs, "out").values()) > before, 30,
             "results past the last good checkpoint")
    assert p.stop() == 1  # SIGTERM: the final checkpoint fails too
    log = (tmp_path / "rs2.log").read_text()
    assert "write of" in log and "No space left on device" in log
    assert "(final checkpoint)" in log
    log = run_to_end(job, bs, tmp_path / "state", tmp_path / "rs3.log")
    assert re.search(r"; [1-9]\d* result\(s\) and 0 marks record\(s\) read back", log), log
    got = results(bs, "out")
    job2 = write_job(tmp_path / "job2.yaml", JOB_TUMBLING.replace("output: out", "output: out2")
                     .replace("late: late", "late: late2"))
    run_to_end(job2, bs, tmp_path / "state2", tmp_path / "rs4.log")
    assert_same_results(got, results(bs, "out2"), "after failed checkpoints")
