"""`streamproof run` with a stream processor (a workload's processor:
section): refstream runs a job over the run's topics, is a fault target
("processor"), and its input and output are copied into <run>/stream/ for
the stream oracle of the checker (verdict.json "stream").

Every run here is real: embedded refbroker, producer and consumer workers,
refstream, on 127.0.0.1; short (4 s measured) so the file stays well under
two minutes.
"""
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import psutil

from conftest import SLOWDOWN, binary, wait_for

from test_run_support import (EXIT_FAILED, EXIT_UNKNOWN, EXIT_USAGE, EXIT_VALID, faults_file, logged_pids,
                              run_streamproof, workload)

# A keyed tumbling-window count over the identity header the producers
# write, with late records (event-time disorder below) going to a late sink.
JOB = """\
name: counts
time: {out_of_orderness_ms: 100}
sources:
  - {name: in, topic: ${topic}, format: identity}
pipeline:
  - window: {type: tumbling, size_ms: 500, aggregate: [count, sum]}
sinks:
  output: ${run}-counts
  late: ${run}-late
"""

DISORDER = {"out_of_order_fraction": 0.2, "out_of_order_ms": 50, "late_fraction": 0.01,
            "max_lateness_ms": 1000}


def processor_workload(tmp_path, job=JOB, name="proc", processor=None, **fields):
    """A small workload with a processor: section running `job`."""
    (Path(tmp_path) / "job.yaml").write_text(job)
    fields.setdefault("producerRate", 600)
    fields.setdefault("key_distribution", "uniform")
    fields.setdefault("key_count", 20)
    fields.setdefault("event_time", DISORDER)
    fields["processor"] = {"job": "job.yaml", "checkpoint_interval_ms": 300, **(processor or {})}
    return workload(tmp_path, name=name, **fields)


def assert_no_refstream_left(run_dir):
    for pid in logged_pids(run_dir):
        try:
            p = psutil.Process(pid)
            if p.status() != psutil.STATUS_ZOMBIE:
                assert "refstream" not in " ".join(p.cmdline()), f"refstream {pid} outlived the run"
        except psutil.NoSuchProcess:
            pass


def stream_section(run):
    v = run.json("verdict.json")
    assert "stream" in v, f"no stream section in verdict.json\n{run.explain()}"
    return v["stream"]


def assert_stream_exact(run):
    """The oracle recomputed the job from the copied input and found the
    output exactly right: records checked, windows and late records, no
    finding of any kind."""
    s = stream_section(run)
    assert s["verdict"] == "valid", json.dumps(s, indent=1)[:3000]
    t = s["totals"]
    text = json.dumps(t)
    assert t["input_records"] > 0 and t["expected"]["output"] > 0, text
    assert t["written"] == t["expected"] and t["unverified"] == 0, text
    assert run.summary["processor"]["caught_up"] is True
    findings = {k: f for k, f in s["findings"].items() if f.get("count")}
    assert not findings, json.dumps(findings, indent=1)[:3000]
    # every input record the producers acked reached the processor's input copy
    assert t["input_records"] >= run.summary["counts"]["acked"], text
    assert "stream verdict: valid" in run.stdout
    return s


def test_processor_run_without_faults_is_checked_exactly(tmp_path):
    wl = processor_workload(tmp_path)
    run = run_streamproof([wl], tmp_path, tmp_path / "out")
    assert run.code == EXIT_VALID, run.explain()
    s = assert_stream_exact(run)
    assert s["job"] == "counts"
    assert sum(s["totals"]["written"].values()) > 0 and not s["incomplete"]
    # the job as run: placeholders replaced by the run's own topic names
    job = (run.dir / "stream" / "job.yaml").read_text()
    assert "${" not in job
    topic = run.summary["processor"]["input_topics"][0]
    assert re.match(r"sp-proc-0000000-[0-9a-f]{8}$", topic), topic
    assert f"topic: {topic}" in job
    sinks = run.summary["processor"]["sink_topics"]
    assert len(sinks) == 2 and all(t.endswith(("-counts", "-late")) for t in sinks), sinks
    assert all(t.startswith(topic.split("-0000000-")[0]) for t in sinks)
    # its input and output were copied for the oracle, every partition
    dumps = {p.name for p in (run.dir / "stream").glob("*.dump")}
    for t in [topic, *sinks]:
        assert f"{t}-0.dump" in dumps, dumps
    p = run.summary["processor"]
    assert p["records"] == s["totals"]["input_records"]  # no restart: each input record once
    assert p["results"] > 0 and p["checkpoints"] > 0 and p["restarts"] == 0
    assert p["late"] > 0  # the workload's late events reached the late sink
    assert [i["exit"] for i in p["incarnations"]] == ["clean"]
    assert p["stopped_clean"] and p["copied"]
    log = (run.dir / "logs" / "processor.log").read_text()
    assert "ready: job counts" in log and "stopped: records=" in log
    assert list((run.dir / "processor" / "state").glob("checkpoint-*.ckpt"))
    assert "processor  job counts:" in run.stdout
    # the run's report shows the oracle's verdict, its totals and the processor
    page = (run.dir / "index.html").read_text()
    assert '<a href="#stream">' in page and '<h2 id="stream">Stream processor</h2>' in page
    section = page[page.index('<h2 id="stream">'):page.index('<h2 id="faults">')]
    written = s["totals"]["written"]["output"]
    assert f"<tr><th>results written</th><td>{written}</td></tr>" in section, section[:2000]
    assert "<code>counts</code>" in section and 'class="bad"' not in section
    assert_no_refstream_left(run.dir)


def test_processor_killed_and_restarted_keeps_exactly_once(tmp_path):
    wl = processor_workload(tmp_path, duration_s=5)
    f = faults_file(tmp_path, """
        faults:
          - {id: pk, kind: kill, target: processor, at_s: 2.5, restart_after_s: 1}
        """)
    run = run_streamproof([wl, "--faults", f], tmp_path, tmp_path / "out")
    assert run.code == EXIT_VALID, run.explain()
    assert_stream_exact(run)
    lines = [json.loads(x) for x in (run.dir / "faults.jsonl").read_text().splitlines()]
    kills = [x for x in lines if x["target"] == "processor" and x["action"] == "inject"]
    heals = [x for x in lines if x["target"] == "processor" and x["action"] == "heal"]
    assert kills and kills[0]["result"] == "ok" and "SIGKILL" in kills[0]["detail"], lines
    assert heals and heals[0]["result"] == "ok" and "restart" in heals[0]["detail"], lines
    p = run.summary["processor"]
    assert p["restarts"] == 1
    assert [i["exit"] for i in p["incarnations"]] == ["killed", "clean"]
    assert p["incarnations"][1]["recovered_from_checkpoint"] is True
    assert len(p["recovery_ms"]) == 1
    assert_no_refstream_left(run.dir)


def abort_fault(tmp_path, extra):
    """A schedule: abort refstream once, right after a batch of results was
    acknowledged and before the checkpoint that records it."""
    return faults_file(tmp_path, """
        faults:
          - id: abort
            kind: fiu
            target: processor
            point: refstream/sink/after-write-before-checkpoint
            mode: abort
            once: true
""" + "".join(f"            {k}: {v}\n" for k, v in extra.items()))


def test_processor_abort_point_then_restart_is_valid(tmp_path):
    wl = processor_workload(tmp_path, duration_s=5)
    f = abort_fault(tmp_path, {"restart_after_s": 0.5, "at_s": 2, "duration_s": 2.5})
    run = run_streamproof([wl, "--faults", f], tmp_path, tmp_path / "out")
    assert run.code == EXIT_VALID, run.explain()
    assert_stream_exact(run)
    lines = [json.loads(x) for x in (run.dir / "faults.jsonl").read_text().splitlines()]
    actions = [x["action"] for x in lines if x["target"] == "processor"]
    assert actions[:3] == ["inject", "observe", "restart"], lines
    observe = next(x for x in lines if x["action"] == "observe")
    assert "SIGABRT" in observe["detail"]
    p = run.summary["processor"]
    assert p["restarts"] == 1 and p["incarnations"][0]["exit"] == "killed"
    assert_no_refstream_left(run.dir)


def test_processor_left_down_is_unknown_and_its_partial_output_still_checked(tmp_path):
    """An abort point with no restart: the processor stays down. Its output
    up to the crash is still copied and checked (right, so far as it goes);
    what it never produced is "pending" (the output shows it had not read
    that far), not "missing"; the run cannot prove the rest: exit 2."""
    wl = processor_workload(tmp_path, duration_s=4)
    f = abort_fault(tmp_path, {"at_s": 1.5, "duration_s": 1})
    run = run_streamproof([wl, "--faults", f], tmp_path, tmp_path / "out")
    assert run.code == EXIT_UNKNOWN, run.explain()
    s = stream_section(run)
    assert s["verdict"] == "valid", json.dumps(s, indent=1)[:3000]
    assert s["totals"]["pending"] > 0, s["totals"]
    assert not any(f["count"] for f in s["findings"].values()), s["findings"]
    p = run.summary["processor"]
    assert p["caught_up"] is False and p["restarts"] == 0
    assert [i["exit"] for i in p["incarnations"]] == ["killed"]
    assert "DID NOT PROCESS ITS WHOLE INPUT" in run.stdout
    assert "only partly verified: exit 2" in run.stdout
    assert_no_refstream_left(run.dir)


def test_processor_against_an_external_broker_with_two_runs(tmp_path, broker):
    """--bootstrap: refstream is a local process driving that broker. Two
    runs of the same workload on one broker never share topics: each run's
    sinks carry its own ${run} prefix, and each is checked on its own."""
    wl = processor_workload(tmp_path, duration_s=3, topics=2,
                            job=JOB.replace("topic: ${topic}", "topics: ${topics}"))
    sinks = []
    for i in range(2):
        run = run_streamproof([wl, "--bootstrap", broker.bootstrap], tmp_path, tmp_path / f"out{i}")
        assert run.code == EXIT_VALID, run.explain()
        s = assert_stream_exact(run)
        assert s["totals"]["tasks"] == 4  # two topics x two partitions, one task each
        assert len(run.summary["processor"]["input_topics"]) == 2
        sinks.append(set(run.summary["processor"]["sink_topics"]))
        assert_no_refstream_left(run.dir)
    assert not sinks[0] & sinks[1]


def test_unknown_placeholder_is_a_usage_error_with_its_line(tmp_path):
    job = JOB.replace("output: ${run}-counts", "output: ${runn}-counts")
    wl = processor_workload(tmp_path, job=job)
    run = run_streamproof([wl], tmp_path, tmp_path / "out")
    assert run.code == EXIT_USAGE, run.explain()
    line = job.splitlines().index("  output: ${runn}-counts") + 1
    assert re.search(rf"job\.yaml:{line}:11: unknown placeholder \$\{{runn\}}", run.stderr), run.stderr
    # a topic the run does not have is just as wrong
    job2 = JOB.replace("topic: ${topic}", "topic: ${topic:3}")
    (tmp_path / "job.yaml").write_text(job2)
    run2 = run_streamproof([wl], tmp_path, tmp_path / "out2")
    assert run2.code == EXIT_USAGE and "unknown placeholder ${topic:3}" in run2.stderr, run2.explain()
    assert "N from 0 to 0" in run2.stderr


def test_job_refstream_rejects_is_a_usage_error_naming_the_log(tmp_path):
    job = JOB.replace("type: tumbling", "type: tumblin")
    wl = processor_workload(tmp_path, job=job)
    run = run_streamproof([wl], tmp_path, tmp_path / "out")
    assert run.code == EXIT_USAGE, run.explain()
    assert "processor.log" in run.stderr and "tumblin" in run.stderr, run.stderr
    assert "job.yaml:6:" in run.stderr  # refstream's own file:line, kept by the substitution
    assert_no_refstream_left(run.dir)


def test_processor_that_cannot_start_fails_the_run_naming_its_log(tmp_path):
    job = JOB.replace("topic: ${topic}", "topic: ${run}-no-such-topic")
    wl = processor_workload(tmp_path, job=job, processor={"ready_timeout_s": 2})
    run = run_streamproof([wl], tmp_path, tmp_path / "out")
    assert run.code == EXIT_FAILED, run.explain()
    assert "the processor (refstream) exited during start-up" in run.stderr, run.stderr
    assert str(run.dir / "logs" / "processor.log") in run.stderr
    assert "no-such-topic" in run.stderr
    assert_no_refstream_left(run.dir)


def test_ctrl_c_while_the_processor_starts_stops_it_at_once(tmp_path):
    """Ctrl-C while the run waits for the processor (here: for an input
    topic that never comes, up to 300 s) ends the run at once, with
    refstream and everything else stopped."""
    job = JOB.replace("topic: ${topic}", "topic: ${run}-never")
    wl = processor_workload(tmp_path, job=job, processor={"ready_timeout_s": 300})
    out = tmp_path / "r"
    p = subprocess.Popen([binary("streamproof"), "run", str(wl), "--out", str(out)], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: "waiting up to" in _read(out / "logs" / "processor.log"), 60, "refstream to wait")
        start = time.monotonic()
        p.send_signal(signal.SIGINT)
        _, stderr = p.communicate(timeout=30 * SLOWDOWN)
        took = time.monotonic() - start
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 130, stderr
    assert took < 100, took  # not the 300 s start-up bound (a wide margin: no speed asserted)
    assert "interrupted" in stderr
    assert_no_refstream_left(out)


def _read(path):
    return Path(path).read_text(errors="replace") if Path(path).exists() else ""


def test_processor_schedule_without_a_processor_is_refused(tmp_path):
    wl = workload(tmp_path)
    f = faults_file(tmp_path, """
        faults:
          - {id: pk, kind: kill, target: processor, at_s: 1, restart_after_s: 1}
        """)
    run = run_streamproof([wl, "--faults", f], tmp_path, tmp_path / "out")
    assert run.code == EXIT_USAGE, run.explain()
    assert "has no stream processor" in run.stderr


def test_processor_keys_are_checked(tmp_path):
    wl = processor_workload(tmp_path, processor={"checkpoint_intervl_ms": 5})
    run = run_streamproof([wl], tmp_path, tmp_path / "out")
    assert run.code == EXIT_USAGE
    assert re.search(r"proc\.yaml:\d+:\d+: unknown key 'checkpoint_intervl_ms'", run.stderr), run.stderr
    assert "checkpoint_interval_ms" in run.stderr  # the suggestion
