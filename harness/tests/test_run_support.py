"""Helpers for the `streamproof run` end-to-end tests (test_run_*.py).

No tests here: running streamproof, reading its results folder (summary,
timeline, histories in the binary format of harness/history/history.h) and
making sure it left no process behind.
"""
import collections
import csv
import json
import os
import re
import signal
import struct
import subprocess
import textwrap
import time
from pathlib import Path

import psutil

from conftest import SLOWDOWN, binary

# history.h: 64-byte records after a 64-byte header
_REC = struct.Struct("<BBHiqQIIIiQQQ")
_FIELDS = ("type", "flags", "topic", "partition", "offset", "seq", "writer", "actor", "key",
           "err", "t_intended_ns", "t_sent_ns", "t_ns")
WRITER_START, ACK, NACK, WRITER_END = 1, 2, 3, 4
READER_START, ASSIGN, REVOKE, APPLY, SKIP, COMMIT, READER_END = 16, 17, 18, 19, 20, 21, 22
READBACK, END_OFFSETS = 32, 33

EXIT_VALID, EXIT_INVALID, EXIT_UNKNOWN, EXIT_USAGE, EXIT_FAILED, EXIT_SCHEDULE = 0, 1, 2, 3, 4, 5


def workload(tmp_path, name="w", **fields):
    """Writes a small workload file; fields override the defaults below."""
    base = {
        "name": name, "seed": 7, "topics": 1, "partitionsPerTopic": 2, "producersPerTopic": 1,
        "subscriptionsPerTopic": 1, "consumerPerSubscription": 1, "messageSize": 100,
        "producerRate": 500, "warmup_s": 1, "duration_s": 4, "drain_timeout_s": 30,
        "semantics": "at_least_once",
    }
    base.update(fields)
    lines = []
    for k, v in base.items():
        lines.append(f"{k}: {json.dumps(v)}")
    lines.append("broker:\n  fsync: never")
    path = Path(tmp_path) / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def faults_file(tmp_path, text, name="faults.yaml"):
    path = Path(tmp_path) / name
    path.write_text(textwrap.dedent(text))
    return path


class Run:
    """A finished `streamproof run`: exit code, output, results folder."""

    def __init__(self, proc, out_dir, elapsed_s):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.dir = Path(out_dir)
        self.elapsed_s = elapsed_s

    def json(self, name):
        return json.loads((self.dir / name).read_text())

    @property
    def summary(self):
        return self.json("summary.json")

    @property
    def meta(self):
        return self.json("history/meta.json")

    def timeline(self):
        with open(self.dir / "timeline.csv", newline="") as f:
            return list(csv.DictReader(f))

    def history(self, name):
        return read_history(self.dir / "history" / name)

    def histories(self, prefix):
        return {p.name: read_history(p) for p in sorted((self.dir / "history").glob(prefix + "*.hist"))}

    def explain(self):
        return f"exit {self.code}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr[-4000:]}"


def run_streamproof(args, cwd, out_dir, timeout_s=180, env=None):
    """Runs `streamproof run ARGS --out OUT_DIR` and waits for it."""
    full_env = dict(os.environ)
    full_env.pop("SP_TEST_CONSUMER_BUG", None)  # only a test that means it sets the bug
    full_env.update(env or {})
    argv = [binary("streamproof"), "run"] + [str(a) for a in args] + ["--out", str(out_dir)]
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=full_env,
                          timeout=timeout_s * SLOWDOWN)
    run = Run(proc, out_dir, time.monotonic() - start)
    assert_no_leftover_processes(run.dir)
    return run


def read_history(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"SPHIST01", f"{path}: bad magic"
    records = []
    for off in range(64, len(data) - _REC.size + 1, _REC.size):
        records.append(dict(zip(_FIELDS, _REC.unpack_from(data, off))))
    return records


_PID_RE = re.compile(r"^\S+ [\w.:-]+\[(\d+)\] ", re.M)


def logged_pids(run_dir):
    """Every process of a run logs its pid on each line (reference/common/log.h)."""
    pids = set()
    for log in Path(run_dir, "logs").glob("*.log"):
        pids.update(int(p) for p in _PID_RE.findall(log.read_text(errors="replace")))
    return pids


def assert_no_leftover_processes(run_dir):
    """No worker, broker, proxy or stream processor of the run may outlive it (checked by pid;
    a pid reused by an unrelated program does not count)."""
    leftovers = []
    for pid in logged_pids(run_dir):
        try:
            p = psutil.Process(pid)
            if p.status() == psutil.STATUS_ZOMBIE:
                continue
            cmd = " ".join(p.cmdline())
        except psutil.NoSuchProcess:
            continue
        if any(name in cmd for name in ("streamproof", "refbroker", "spproxy", "refstream")):
            leftovers.append((pid, cmd))
    for pid, _ in leftovers:
        os.kill(pid, signal.SIGKILL)
    assert not leftovers, f"processes left running after the run: {leftovers}"


def apply_counts(run):
    """(topic, partition, offset) -> times applied, over consumer and effect histories."""
    counts = collections.Counter()
    for name, recs in list(run.histories("consumer-").items()) + list(run.histories("effects-").items()):
        for r in recs:
            if r["type"] == APPLY:
                counts[(r["topic"], r["partition"], r["offset"])] += 1
    return counts


def acked_offsets(run):
    acked = set()
    for recs in run.histories("producer-").values():
        for r in recs:
            if r["type"] == ACK:
                acked.add((r["topic"], r["partition"], r["offset"]))
    return acked
