"""refstream crash loops: SIGKILL at random times and abort() at every fault
point, many times in one run, while input keeps arriving; at the end the
output must equal, record for record and in order, the output of a run
without failures (no loss, no duplicate) - for every window type, the
count windows, the pattern operator and both joins.

The default run kills each job a few times and sweeps the fault points
across the jobs; `-m slow` runs the long version (dozens of kills and every
fault point, several times, for every job).
"""
import random
import re
import signal
import subprocess
import threading
import time

import json

import pytest

from conftest import SLOWDOWN, wait_for
from test_refstream_e2e import (Refstream, assert_same_results, create_topic, fiu_env, gen,
                                read_json, read_topic, require_fiu, results, run_to_end,
                                write_job)

pytestmark = pytest.mark.needs_fiu

HEADER = """
name: {name}
time: {{out_of_orderness_ms: 30, allowed_lateness_ms: {lateness}}}
sources:
  - {{name: in, topic: in, format: json}}
{other}pipeline:
{pipeline}
sinks: {{output: {out}, late: {late}}}
"""

OTHER = "  - {name: other, topic: other, format: json}\n"

JOBS = {
    "tumbling": ("  - window: {type: tumbling, size_ms: 200}", 100, False),
    "hopping": ("  - window: {type: hopping, size_ms: 200, advance_ms: 50}", 0, False),
    "sliding": ("  - window: {type: sliding, size_ms: 100}", 60, False),
    "session": ("  - window: {type: session, gap_ms: 50}", 80, False),
    "count": ("  - window: {type: hopping, by: count, size: 5, advance: 2}\n"
              "  - filter: {field: sum, gt: 0}", 0, False),
    "pattern": ("  - reorder: {}\n"
                "  - pattern: {first: {field: type, eq: login}, then: {field: type, eq: buy},"
                " within_ms: 50, emit: both}", 20, False),
    "join": ("  - join: {with: other, type: left, before_ms: 30, after_ms: 20}", 40, True),
    "enrich": ("  - enrich: {table: other, type: left}", 0, True),
}

POINTS = {  # fault point -> libfiu probability of firing each time it is reached
    "refstream/source/after-poll-before-process": 0.15,
    "refstream/sink/mid-batch": 0.5,
    # at the first interval checkpoint (after a second of results: see crash_loop)
    "refstream/sink/after-write-before-checkpoint": 1.0,
    "refstream/checkpoint/mid-write": 0.2,
    "refstream/checkpoint/before-fsync": 0.2,
    "refstream/checkpoint/before-rename": 0.2,
    "refstream/checkpoint/after-rename-before-dir-fsync": 0.2,
    "refstream/checkpoint/after-rename-before-commit": 0.2,
    "refstream/restore/after-load-before-readback": 0.8,
    "refstream/restore/mid-replay": 0.5,
}

ALWAYS = "refstream/sink/after-write-before-checkpoint"

PARTITIONS = 2
CHUNK = 400


def job_text(kind, out, late):
    pipeline, lateness, two = JOBS[kind]
    return HEADER.format(name=f"crash-{kind}", lateness=lateness, other=OTHER if two else "",
                         pipeline=pipeline, out=out, late=late)


class Feeder(threading.Thread):
    """Writes the input in chunks while refstream is being killed."""

    def __init__(self, bs, two, total, pause_s):
        super().__init__(daemon=True)
        self.bs, self.two, self.total, self.pause_s = bs, two, total, pause_s
        self.error = None

    def run(self):
        try:
            for first in range(0, self.total, CHUNK):
                gen(self.bs, "in", CHUNK, first=first, seed=1, late_every=40, late_ms=300)
                if self.two:
                    gen(self.bs, "other", CHUNK, first=first, seed=2, late_every=55, late_ms=300)
                time.sleep(self.pause_s)
        except BaseException as e:  # reported by the test
            self.error = e


# Fields that record when a result left a two-input task: they depend on how
# the two inputs interleaved, which no two runs share (README.md,
# "Determinism"); the results themselves do not.
TIMING_FIELDS = ("seq", "through", "through1", "wm")


def canonical(res, two_inputs):
    """Single-input tasks: as written. Two-input tasks: the multiset of
    results without their timing fields, in id order."""
    if not two_inputs:
        return res
    out = {}
    for p, recs in res.items():
        objs = [json.loads(r) for r in recs]
        for o in objs:
            for f in TIMING_FIELDS:
                o.pop(f, None)
        out[p] = sorted(json.dumps(o, sort_keys=True) for o in objs)
    return out


def readbacks(log):
    """Results read back by the restarts in a log."""
    return sum(int(n) for n in re.findall(r"; (\d+) result\(s\) and \d+ marks record", log))


def crash_loop(tmp_path, bs, kind, kills, points, total, rng):
    require_fiu()
    two = JOBS[kind][2]
    create_topic(bs, "in", PARTITIONS)
    if two:
        create_topic(bs, "other", PARTITIONS)
    job = write_job(tmp_path / "job.yaml", job_text(kind, "out", "late"))
    state = tmp_path / "state"
    feeder = Feeder(bs, two, total, pause_s=0.15 * SLOWDOWN)
    feeder.start()
    logs = []
    args = ["--checkpoint-interval-ms", "200"]
    n = 0
    # SIGKILL at random instants
    for _ in range(kills):
        n += 1
        p = Refstream(job, bs, state, tmp_path / f"rs{n}.log", args=args, wait=False)
        time.sleep(rng.uniform(0.05, 0.6) * SLOWDOWN)
        p.kill9()
        logs.append((tmp_path / f"rs{n}.log").read_text())
    # abort() at each fault point, at a random occurrence of it; a restore
    # point runs right after an abort that left results past the checkpoint,
    # so that restart has output to read back and a replay to do
    fired = {}
    order = []
    for point in points:
        if point.startswith("refstream/restore/"):
            order.append(ALWAYS)
        order.append(point)
    for point in order:
        n += 1
        cmd = f"enable_random name={point},probability={POINTS[point]},failnum=3"
        env = fiu_env(tmp_path)
        # a long interval before this point makes sure results were written
        # since the checkpoint, so the restart has something to skip
        pargs = ["--checkpoint-interval-ms", "1000"] if point == ALWAYS else args
        p = Refstream(job, bs, state, tmp_path / f"rs{n}.log", args=pargs, env=env, wait=False,
                      wrapper=["fiu-run", "-f", str(tmp_path / "fiu"), "-c", cmd])
        try:
            rc = p.wait(4)
        except subprocess.TimeoutExpired:
            rc = p.kill9()
        log = (tmp_path / f"rs{n}.log").read_text()
        logs.append(log)
        hit = rc == -signal.SIGABRT and f"fault: {point}: aborting" in log
        fired[point] = fired.get(point, False) or hit
    feeder.join(timeout=300)
    assert feeder.error is None, feeder.error
    logs.append(run_to_end(job, bs, state, tmp_path / "final.log"))
    got_out = canonical(results(bs, "out"), two)
    got_late = canonical(results(bs, "late"), two)
    # the same input, one run, no failures
    ref = write_job(tmp_path / "ref.yaml", job_text(kind, "ref-out", "ref-late"))
    run_to_end(ref, bs, tmp_path / "ref-state", tmp_path / "ref.log")
    assert_same_results(got_out, canonical(results(bs, "ref-out"), two),
                        f"{kind}: results after {n} crashes")
    assert_same_results(got_late, canonical(results(bs, "ref-late"), two),
                        f"{kind}: late records after {n} crashes")
    assert sum(len(v) for v in got_out.values()) > 100
    return fired, sum(readbacks(log) for log in logs)


def sweep(index, every):
    """The fault points a job aborts at in the quick run: the one that
    always leaves results written after the checkpoint (so the restart must
    read them back and skip them), plus `every` others in rotation, so the
    jobs together cover all of them."""
    names = sorted(p for p in POINTS if p != ALWAYS)
    return [ALWAYS] + [names[(index * every + k) % len(names)] for k in range(every)]


@pytest.mark.parametrize("kind", sorted(JOBS))
def test_crash_loop_output_equals_failure_free_run(broker, tmp_path, kind):
    rng = random.Random(hash(kind) & 0xffff)
    index = sorted(JOBS).index(kind)
    points = sweep(index, 3)
    fired, replayed = crash_loop(tmp_path, broker.bootstrap, kind, kills=4, points=points,
                                 total=8000, rng=rng)
    assert any(fired.values()), f"no fault point fired: {fired}"
    assert replayed > 0, "no restart found results written after its checkpoint (nothing replayed)"


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(JOBS))
def test_crash_loop_long(broker, tmp_path, kind):
    rng = random.Random(7 + sorted(JOBS).index(kind))
    points = sorted(POINTS) * 3
    rng.shuffle(points)
    fired, replayed = crash_loop(tmp_path, broker.bootstrap, kind, kills=30, points=points,
                                 total=40000, rng=rng)
    missing = [p for p in POINTS if not fired.get(p)]
    assert not missing, f"fault points that never fired: {missing}"
    assert replayed > 0


def test_processing_time_crash_loop_counts_every_record_once(broker, tmp_path):
    """Processing time cannot reproduce a failure-free run (the clock moved
    on), but across SIGKILLs and aborts every record must still be counted
    in exactly one window: the window results' n and oh add up to every
    input offset once, and the marks read back keep replayed records in
    the windows they were counted in before the crash."""
    require_fiu()
    bs = broker.bootstrap
    create_topic(bs, "in", PARTITIONS)
    job = write_job(tmp_path / "job.yaml", """
name: proc
time: {mode: processing, processing_tick_ms: 20}
sources:
  - {name: in, topic: in, format: json}
pipeline:
  - window: {type: hopping, size_ms: 200, advance_ms: 100, aggregate: [count]}
sinks: {output: out}
""")
    total = 6000
    feeder = Feeder(bs, False, total, pause_s=0.15 * SLOWDOWN)
    feeder.start()
    rng = random.Random(5)
    state = tmp_path / "state"
    args = ["--checkpoint-interval-ms", "300"]
    for n in range(6):
        p = Refstream(job, bs, state, tmp_path / f"rs{n}.log", args=args, wait=False)
        time.sleep(rng.uniform(0.2, 0.8) * SLOWDOWN)
        p.kill9()
    env = fiu_env(tmp_path)
    p = Refstream(job, bs, state, tmp_path / "abort.log", args=["--checkpoint-interval-ms", "1000"],
                  env=env, wait=False,
                  wrapper=["fiu-run", "-f", str(tmp_path / "fiu"), "-c",
                           f"enable name={ALWAYS},failnum=3"])
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill9()
    feeder.join(timeout=300)
    assert feeder.error is None, feeder.error
    p = Refstream(job, bs, state, tmp_path / "final.log", args=args)

    def covered():
        recs = [r for rs in read_json(bs, "out").values() for r in rs if r["kind"] == "window"]
        return sum(r["n"] for r in recs), recs

    # hopping windows of 200 ms every 100 ms: each record is in two windows
    wait_for(lambda: covered()[0] >= 2 * total, 120, "every record counted in its two windows")
    time.sleep(0.5)
    assert p.stop() == 0
    n, recs = covered()
    assert n == 2 * total
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids))
    mask = (1 << 64) - 1

    def mix64(x):
        z = (x + 0x9e3779b97f4a7c15) & mask
        z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & mask
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & mask
        return z ^ (z >> 31)

    offsets = {p: len(v) for p, v in read_topic(bs, "in").items()}
    for part, count in offsets.items():
        want = sum(mix64(o) for o in range(count)) * 2 & mask
        got = sum(int(r["oh"], 16) for r in recs if r["task"] == part) & mask
        assert got == want, f"task {part}: coverage differs"
    logs = "".join(f.read_text() for f in tmp_path.glob("*.log"))
    marks_read = sum(int(m) for m in re.findall(r"and (\d+) marks record\(s\) read back", logs))
    assert marks_read > 0, "no restart read marks back: the replay of recorded decisions was not exercised"
