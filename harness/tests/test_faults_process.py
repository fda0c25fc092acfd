"""Process, disk and network faults driven end to end by `spfaultctl run`:
the schedule parser, the plan, the executor, process control, libfiu
remote control with the POSIX preload, and spproxy together, checked by
what happened to real processes and by faults.jsonl.
"""
import json
import os
import re
import socket
import time
from pathlib import Path

import pytest

from conftest import BIN_DIR, Proc, binary, wait_for, LISTEN_RE


def spfaultctl_run(tmp_path, schedule, argv, extra=(), name="run"):
    sched = tmp_path / f"{name}.yaml"
    sched.write_text(schedule)
    out = tmp_path / f"{name}-faults.jsonl"
    log = tmp_path / f"{name}-target.log"
    p = Proc([binary("spfaultctl"), "run", sched, "--target", "broker", "--out", out,
              "--log", log, "--tail-s", "0.2", *extra, "--", *argv], tmp_path / f"{name}.log")
    return p, out, log


def records(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def proc_state(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return stat[stat.rindex(")") + 2]


def test_check_prints_a_seeded_plan(tmp_path):
    sched = tmp_path / "s.yaml"
    sched.write_text("faults:\n"
                     "  - {id: loop, kind: kill, target: consumers, window_s: [1, 3], restart_after_s: 1,\n"
                     "     every: {min_s: 4, max_s: 6}, until_s: 30}\n")
    runs = []

    def plan(seed):
        runs.append(seed)
        p = Proc([binary("spfaultctl"), "check", sched, "--consumers", "4", "--seed", str(seed)],
                 tmp_path / f"check-{len(runs)}.log")
        assert p.wait(10) == 0, p.output()
        return p.output()
    assert plan(5) == plan(5)
    assert plan(5) != plan(6)
    assert "inject kill    consumer:" in plan(5)
    bad = tmp_path / "bad.yaml"
    bad.write_text("faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, restart_afer_s: 1}\n")
    p = Proc([binary("spfaultctl"), "check", bad], tmp_path / "bad.log")
    assert p.wait(10) == 1
    assert f"{bad}:2:" in p.output() and "key 'restart_afer_s': unknown key" in p.output()


def test_pause_kill_restart_and_stop_a_sleeping_child(tmp_path):
    schedule = ("faults:\n"
                "  - {id: freeze, kind: pause, target: broker, at_s: 0.3, duration_s: 1.0}\n"
                "  - {id: crash, kind: kill, target: broker, at_s: 1.6, restart_after_s: 0.4}\n"
                "  - {id: term, kind: stop, target: broker, at_s: 2.4, grace_s: 0.3, restart_after_s: 0.6}\n")
    child = ["sh", "-c", "trap '' TERM; echo started $$; while :; do sleep 0.05; done"]
    p, out, log = spfaultctl_run(tmp_path, schedule, child)
    m = wait_for(lambda: re.search(r"started broker pid (\d+)", p.output()), 10, "the child to start")
    pid = int(m.group(1))
    wait_for(lambda: proc_state(pid) == "T", 10, "the child to be stopped (SIGSTOP)")
    wait_for(lambda: proc_state(pid) in ("S", "R"), 10, "the child to resume (SIGCONT)")
    assert p.wait(30) == 0, p.output()
    recs = records(out)
    seq = [(r["fault"], r["action"], r["result"]) for r in recs]
    assert seq == [("freeze", "inject", "ok"), ("freeze", "heal", "ok"),
                   ("crash", "inject", "ok"), ("crash", "heal", "ok"),
                   ("term", "inject", "ok"), ("term", "observe", "ok"), ("term", "heal", "ok")], seq
    assert recs[2]["pid"] == pid and recs[2]["detail"] == "killed by SIGKILL"
    assert recs[3]["pid"] != pid  # restarted: a new process
    assert "SIGKILL" in recs[5]["detail"]  # SIGTERM ignored: escalated after grace_s
    assert recs[6]["pid"] != recs[3]["pid"]
    for r in recs:
        assert r["t_s"] >= r["planned_t_s"] - 1e-6
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["wall"])
    assert log.read_text().count("started") == 3  # three incarnations, one log


def test_posix_preload_makes_fdatasync_fail_in_an_unmodified_program(tmp_path):
    probe = BIN_DIR.parent / "tests" / "fsync_probe"
    if not probe.exists():
        pytest.fail(f"{probe} not built")
    schedule = ("faults:\n"
                "  - {id: eio, kind: disk, target: broker, ops: [fdatasync], errno: EIO, at_s: 0.5, duration_s: 1.0}\n")
    p, out, log = spfaultctl_run(tmp_path, schedule, [str(probe), str(tmp_path / "data")],
                                 extra=["--fiu-prefix", str(tmp_path / "fiu"), "--preload"])
    assert p.wait(30) == 0, p.output()
    lines = log.read_text().splitlines()
    assert lines[0] == "write=4 fdatasync=0", lines
    assert "write=4 fdatasync=-1 errno=5" in lines, lines
    assert lines[-1] == "write=4 fdatasync=0", lines  # healed
    assert [(r["action"], r["result"]) for r in records(out)] == [("inject", "ok"), ("heal", "ok")]
    assert records(out)[0]["params"]["points"] == ["posix/io/sync/fdatasync"]
    assert not list(tmp_path.glob("fiu-*.in"))  # clean exit: libfiu removed its FIFOs


def test_network_faults_through_the_proxy(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    control = str(tmp_path / "proxy.sock")
    proxy = Proc([binary("spproxy"), "--listen", "127.0.0.1:0", "--upstream",
                  f"127.0.0.1:{server.getsockname()[1]}", "--control", control],
                 tmp_path / "proxy.log")
    try:
        wait_for(lambda: LISTEN_RE.search(proxy.output()), 10, "spproxy to listen")
        schedule = ("faults:\n"
                    "  - {id: lag, kind: net, toxic: latency, latency_ms: 30, jitter_ms: 5, at_s: 0.2, duration_s: 0.5}\n"
                    "  - {id: cut, kind: net, toxic: blackhole, direction: upstream, at_s: 0.8, duration_s: 0.3}\n"
                    "  - {id: rst, kind: net, toxic: reset, at_s: 1.2, duration_s: 0.2}\n")
        p, out, _ = spfaultctl_run(tmp_path, schedule, ["sleep", "30"],
                                   extra=["--proxy-control", control])
        assert p.wait(30) == 0, p.output()
        recs = records(out)
        assert [(r["fault"], r["action"], r["result"]) for r in recs] == [
            ("lag", "inject", "ok"), ("lag", "heal", "ok"), ("cut", "inject", "ok"),
            ("cut", "heal", "ok"), ("rst", "inject", "ok"), ("rst", "heal", "ok")]
        assert "latency both 30 5" in recs[0]["detail"]
        assert "clear blackhole upstream" in recs[3]["detail"]
        assert "reset 200" in recs[4]["detail"]
    finally:
        proxy.stop()
        server.close()


def test_a_failed_injection_is_recorded_and_fails_the_run(tmp_path):
    schedule = ("faults:\n"
                "  - {id: arm, kind: fiu, target: broker, point: refbroker/log/before-fsync, at_s: 0.2, duration_s: 0.2}\n")
    # `sleep` has no libfiu control FIFO: the arming must fail, loudly
    p, out, _ = spfaultctl_run(tmp_path, schedule, ["sleep", "30"],
                               extra=["--fiu-prefix", str(tmp_path / "nofiu")])
    assert p.wait(30) == 1, p.output()
    recs = records(out)
    assert recs[0]["result"] == "error"
    assert "no such FIFO" in recs[0]["error"]
    assert recs[1]["action"] == "heal" and "inject did not take effect" in recs[1]["detail"]
    assert "2 records, 1 errors" in p.output()
