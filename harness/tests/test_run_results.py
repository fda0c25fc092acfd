"""`streamproof run` against the embedded refbroker: the results folder is
complete and its numbers agree with each other (results/README.md)."""
import subprocess

import pytest

from conftest import binary
from test_run_support import (EXIT_VALID, READBACK, END_OFFSETS, acked_offsets, apply_counts,
                              run_streamproof, workload)

RESULT_FILES = ["summary.json", "verdict.json", "publish.hgrm", "publish-uncorrected.hgrm",
                "e2e.hgrm", "e2e-uncorrected.hgrm", "latency.hlog", "timeline.csv", "faults.jsonl",
                "workload.yaml", "workload.json", "history/meta.json", "history/readback.hist",
                "logs/broker.log"]

OMB_FIELDS = ["workload", "driver", "messageSize", "topics", "partitions", "producersPerTopic",
              "consumersPerTopic", "publishRate", "consumeRate", "publishErrorRate", "backlog",
              "publishLatency99pct", "publishDelayLatency99pct", "endToEndLatency99pct"]
for prefix in ("aggregatedPublishLatency", "aggregatedPublishDelayLatency", "aggregatedEndToEndLatency"):
    OMB_FIELDS += [prefix + s for s in ("Avg", "50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "Max")]
OMB_FIELDS += ["aggregatedPublishLatencyQuantiles", "aggregatedEndToEndLatencyQuantiles"]


@pytest.fixture(scope="module")
def basic_run(tmp_path_factory):
    """One 5-second run (1 s warm-up + 4 s) with two producers, two
    subscriptions (one of them with two consumers): shared by the tests
    below, which each check one property of its results."""
    tmp = tmp_path_factory.mktemp("basic")
    w = workload(tmp, name="basic", partitionsPerTopic=4, producersPerTopic=2,
                 subscriptionsPerTopic=2, consumerPerSubscription=2, producerRate=1000,
                 warmup_s=1, duration_s=4, key_distribution="uniform", key_count=50)
    return run_streamproof([w], cwd=tmp, out_dir=tmp / "results")


def test_exit_and_verdict(basic_run):
    r = basic_run
    assert r.code == EXIT_VALID, r.explain()
    assert "verdict: valid" in r.stdout
    assert r.json("verdict.json")["verdict"] == "valid"
    assert r.summary["verdict"] == "valid"


def test_every_results_file_exists(basic_run):
    for name in RESULT_FILES:
        assert (basic_run.dir / name).is_file(), name
    for i in range(2):
        assert (basic_run.dir / "history" / f"producer-{i}.hist").is_file()
        assert (basic_run.dir / "logs" / f"producer-{i}.log").is_file()
    for i in range(4):
        assert (basic_run.dir / "history" / f"consumer-{i}.hist").is_file()
        assert (basic_run.dir / "logs" / f"consumer-{i}.log").is_file()


def test_summary_has_omb_fields_and_metadata(basic_run):
    s = basic_run.summary
    for f in OMB_FIELDS:
        assert f in s, f
    assert s["workload"] == "basic" and s["messageSize"] == 100 and s["partitions"] == 4
    assert s["producersPerTopic"] == 2 and s["sampleRateMillis"] == 1000
    assert len(s["publishRate"]) == 4  # one sample per measured second
    for k in ("streamproof_version", "git_commit", "begin_time", "end_time", "seed", "command"):
        assert s["run"][k] not in (None, ""), k
    assert s["run"]["seed"] == 7
    assert s["broker"]["kind"] == "embedded-refbroker"
    assert "--fsync" in s["broker"]["flags"]
    for k in ("hostname", "cpus", "kernel"):
        assert k in s["machine"]
    assert s["schedule"]["kept"] is True
    # corrected is never below uncorrected: it starts earlier
    assert s["aggregatedPublishLatency99pct"] >= s["uncorrected"]["aggregatedPublishLatency99pct"]
    assert s["aggregatedEndToEndLatencyMax"] >= s["uncorrected"]["aggregatedEndToEndLatencyMax"]
    # sub-millisecond latencies are kept, not dropped (OMB drops them)
    assert s["aggregatedPublishDelayLatency50pct"] < 1000  # microseconds


def test_counts_consistent_after_drain(basic_run):
    c = basic_run.summary["counts"]
    # the schedule intended exactly rate x (warm-up + duration)
    assert c["intended"] == 5000
    assert c["sent"] == c["acked"] == c["intended"], c
    assert c["nacked"] == 0 and c["indeterminate"] == 0
    for sub, n in c["consumed_per_subscription"].items():
        assert n == c["acked"], (sub, n)
    assert c["consumed"] == 2 * c["acked"]
    assert basic_run.meta["drain"]["completed"] is True
    assert basic_run.meta["readback"]["completed"] is True


def test_timeline_sums_match_summary(basic_run):
    rows = basic_run.timeline()
    c = basic_run.summary["counts"]
    for col in ("intended", "sent", "acked", "nacked", "consumed"):
        assert sum(int(r[col]) for r in rows) == c[col], col
    phases = [r["phase"] for r in rows]
    assert phases[0] == "warmup" and phases.count("measure") == 4 and phases[-1] == "drain"
    assert [int(r["t_s"]) for r in rows] == list(range(len(rows)))
    assert int(rows[-1]["backlog"]) == 0  # drained: acked x subscriptions = consumed
    measured = [r for r in rows if r["phase"] == "measure"]
    assert all(r["publish_p99_ms"] and r["e2e_p99_ms"] for r in measured)


def test_histories_agree_with_readback(basic_run):
    acked = acked_offsets(basic_run)
    assert len(acked) == 5000
    applied = apply_counts(basic_run)
    # at_least_once without faults: every acked message applied once per subscription
    assert set(applied) == acked
    assert all(n == 2 for n in applied.values())
    rb = basic_run.history("readback.hist")
    stored = {(r["topic"], r["partition"], r["offset"]) for r in rb if r["type"] == READBACK}
    assert stored == acked
    ends = [r for r in rb if r["type"] == END_OFFSETS]
    assert len(ends) == 4 and sum(r["offset"] - r["seq"] for r in ends) == 5000


def test_hgrm_totals_match_measured_window(basic_run):
    """The .hgrm files hold the measured window (warm-up excluded): about
    4 of the 5 seconds of acks, parseable HdrHistogram output."""
    text = (basic_run.dir / "publish.hgrm").read_text()
    assert text.startswith("       Value   Percentile   TotalCount 1/(1-Percentile)")
    total = int(text.split("Total count    =")[1].split("]")[0])
    assert 3800 <= total <= 4200, total
    e2e_total = int((basic_run.dir / "e2e.hgrm").read_text().split("Total count    =")[1].split("]")[0])
    assert 7600 <= e2e_total <= 8400, e2e_total  # two subscriptions


def test_meta_lists_every_incarnation(basic_run):
    m = basic_run.meta
    assert [t["partitions"] for t in m["topics"]] == [4]
    assert [s["semantics"] for s in m["subscriptions"]] == ["at_least_once"] * 2
    ids = [w["writer"] for p in m["producers"] for w in p["writers"]] + \
          [r["reader"] for c in m["consumers"] for r in c["readers"]]
    assert len(ids) == len(set(ids)) == 6  # one id space, never reused
    assert all(w["exit"] == "clean" for p in m["producers"] for w in p["writers"])
    assert all(r["exit"] == "clean" for c in m["consumers"] for r in c["readers"])
    run = m["run"]
    assert run["start_mono_ns"] < run["warmup_end_mono_ns"] < run["end_mono_ns"]


def test_version_and_help():
    v = subprocess.run([binary("streamproof"), "--version"], capture_output=True, text=True)
    assert v.returncode == 0 and v.stdout.startswith("streamproof ") and "git " in v.stdout
    h = subprocess.run([binary("streamproof"), "run", "--help"], capture_output=True, text=True)
    assert h.returncode == 0 and "Exit status" in h.stdout and "--bootstrap" in h.stdout
    for cmd in ("check", "worker"):
        h = subprocess.run([binary("streamproof"), cmd, "--help"], capture_output=True, text=True)
        assert h.returncode == 0, cmd
    u = subprocess.run([binary("streamproof"), "frobnicate"], capture_output=True, text=True)
    assert u.returncode == 3 and "unknown command" in u.stderr
