"""streamproof compare end to end: the CI regression gate. Similar runs
pass; a run with injected latency (p99 far higher) or an invalid verdict
fails with exit 1 and says why; limits are parsed with clear errors; with
several runs per side the medians decide, so one noisy run does not."""
import json
import subprocess
import sys

from conftest import REPO, binary

sys.path.insert(0, str(REPO / "harness" / "report" / "tests"))
from synth_results import make_run  # noqa: E402


def compare(*args, check_rc=None):
    p = subprocess.run([binary("sp-compare"), *map(str, args)], capture_output=True, text=True, timeout=60)
    if check_rc is not None:
        assert p.returncode == check_rc, f"rc {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
    return p


def row(stdout, metric):
    """The table row of a metric, split into its columns."""
    for line in stdout.splitlines():
        if line.split(" ", 1)[0] == metric:
            return line
    raise AssertionError(f"no row {metric} in:\n{stdout}")


def test_similar_runs_pass(tmp_path):
    a = make_run(tmp_path / "a", seconds=10, seed=1)
    b = make_run(tmp_path / "b", seconds=10, seed=2)
    p = compare(a, b, "--max-regress", "p99=25%,throughput=5%,nacked=0", check_rc=0)
    assert p.stdout.rstrip().endswith("PASS: 4 limits held, verdict no worse")
    assert row(p.stdout, "e2e.p99").rstrip().endswith("ok")
    assert row(p.stdout, "throughput").rstrip().endswith("ok")
    assert "valid" in row(p.stdout, "verdict")


def test_injected_latency_fails_with_the_figures(tmp_path):
    base = make_run(tmp_path / "base", seconds=10, seed=1)
    slow = make_run(tmp_path / "slow", seconds=10, seed=2, spike_ms=200, spike_fraction=0.03)
    p = compare(base, slow, "--max-regress", "p99=25%", check_rc=1)
    sb = json.loads((base / "summary.json").read_text())
    ss = json.loads((slow / "summary.json").read_text())
    assert ss["aggregatedEndToEndLatency99pct"] > 10 * sb["aggregatedEndToEndLatency99pct"]
    line = row(p.stdout, "e2e.p99")
    assert "%.3f" % sb["aggregatedEndToEndLatency99pct"] in line
    assert "%.3f" % ss["aggregatedEndToEndLatency99pct"] in line
    assert line.rstrip().endswith("REGRESSED") and "+25%" in line
    fail = p.stdout.strip().splitlines()[-1]
    assert fail.startswith("FAIL: ") and "e2e.p99" in fail and "publish.p99" in fail
    # The other way round is an improvement: no failure.
    compare(slow, base, "--max-regress", "p99=25%", check_rc=0)
    # A generous absolute allowance lets it pass.
    compare(base, slow, "--max-regress", "p99=25%+500ms", check_rc=0)


def test_throughput_drop_fails(tmp_path):
    base = make_run(tmp_path / "base", seconds=8, rate=1000)
    low = make_run(tmp_path / "low", seconds=8, rate=1000, throughput_scale=0.8)
    p = compare(base, low, "--max-regress", "throughput=5%", check_rc=1)
    assert "throughput 1000.0 -> 800.0 msg/s (limit -5%: at least 950.0)" in p.stdout
    compare(base, low, "--max-regress", "throughput=25%", check_rc=0)
    compare(base, low, "--max-regress", "throughput=250msg/s", check_rc=0)


def test_invalid_verdict_fails_even_without_limits(tmp_path):
    base = make_run(tmp_path / "base", seconds=6, seed=1)
    bad = make_run(tmp_path / "bad", seconds=6, seed=1, verdict="invalid", anomalies={"lost-write": 3})
    p = compare(base, bad, check_rc=1)
    assert "no --max-regress limits: only the verdict is gated" in p.stdout
    assert "WORSE" in row(p.stdout, "verdict")
    assert p.stdout.strip().splitlines()[-1] == "FAIL: verdict valid -> invalid"
    assert "3" in row(p.stdout, "forbidden-anomalies")
    # Better is fine; --ignore-verdict turns the gate off; limits on the
    # anomaly counts gate them explicitly.
    compare(bad, base, check_rc=0)
    compare(base, bad, "--ignore-verdict", check_rc=0)
    p = compare(base, bad, "--ignore-verdict", "--max-regress", "forbidden-anomalies=0", check_rc=1)
    assert "forbidden-anomalies 0 -> 3" in p.stdout
    # unknown is worse than valid, better than invalid; no verdict counts as unknown.
    unknown = make_run(tmp_path / "unknown", seconds=6, seed=1, verdict="unknown")
    compare(base, unknown, check_rc=1)
    compare(bad, unknown, check_rc=0)
    unchecked = make_run(tmp_path / "unchecked", seconds=6, seed=1, verdict="not checked", omit=("verdict.json",))
    p = compare(base, unchecked, check_rc=1)
    assert "FAIL: verdict valid -> not checked" in p.stdout


def test_medians_over_several_runs_absorb_one_noisy_run(tmp_path):
    base = [make_run(tmp_path / f"base{i}", seconds=8, seed=i) for i in range(3)]
    noisy = make_run(tmp_path / "noisy", seconds=8, seed=10, spike_ms=300, spike_fraction=0.05)
    cand = [make_run(tmp_path / "cand0", seconds=8, seed=11), noisy,
            make_run(tmp_path / "cand2", seconds=8, seed=12)]
    # One candidate run alone would fail ...
    compare(base[0], noisy, "--max-regress", "e2e.p99=50%", check_rc=1)
    # ... the median of three does not.
    p = compare("--baseline", *base, "--candidate", *cand, "--max-regress", "e2e.p99=50%", check_rc=0)
    assert "baseline 3 runs, candidate 3 runs (medians per side" in p.stdout
    line = row(p.stdout, "e2e.p99")
    medians = sorted(json.loads((c / "summary.json").read_text())["aggregatedEndToEndLatency99pct"] for c in cand)
    assert "%.3f [%.3f..%.3f]" % (medians[1], medians[0], medians[2]) in line
    # The median of two is their mean; with two noisy runs of three it fails.
    cand_bad = [noisy, make_run(tmp_path / "noisy2", seconds=8, seed=13, spike_ms=300, spike_fraction=0.05),
                cand[0]]
    compare("--baseline", *base, "--candidate", *cand_bad, "--max-regress", "e2e.p99=50%", check_rc=1)
    # A side's verdict is its worst run's: one invalid run fails the gate.
    invalid = make_run(tmp_path / "inv", seconds=8, seed=14, verdict="invalid", anomalies={"duplicate": 1})
    p = compare("--baseline", *base, "--candidate", cand[0], invalid, cand[2], check_rc=1)
    assert "candidate 1 of 3 invalid" in p.stdout


def test_json_output(tmp_path):
    a = make_run(tmp_path / "a", seconds=6, seed=1)
    b = make_run(tmp_path / "b", seconds=6, seed=2, spike_ms=100, spike_fraction=0.05)
    out = tmp_path / "cmp.json"
    compare(a, b, "--max-regress", "e2e.p99=10%", "--json", out, "--quiet", check_rc=1)
    doc = json.loads(out.read_text())
    assert doc["result"] == "fail"
    assert doc["baseline"]["runs"] == [str(a)] and doc["candidate"]["verdict"] == "valid"
    m = {x["name"]: x for x in doc["metrics"]}
    assert m["e2e.p99"]["regressed"] is True and m["e2e.p99"]["limit"] == "10%"
    assert abs(m["e2e.p99"]["bound"] - m["e2e.p99"]["baseline"]["median"] * 1.1) < 1e-6
    assert "regressed" not in m["publish.p50"]
    assert m["throughput"]["higher_is_better"] is True


def test_markdown_output_for_a_pull_request(tmp_path):
    a = make_run(tmp_path / "a", seconds=6, seed=1)
    b = make_run(tmp_path / "b", seconds=6, seed=2, verdict="invalid", anomalies={"lost-write": 1})
    md = tmp_path / "cmp.md"
    compare(a, b, "--markdown", md, "--quiet", check_rc=1)
    text = md.read_text().splitlines()
    assert text[0] == "### streamproof compare: FAIL"
    assert "| metric | unit | baseline | candidate | change | limit | status |" in text
    assert "| verdict |  | valid | invalid |  | no worse | **WORSE** |" in text
    assert text[-1] == "FAIL: verdict valid -> invalid"
    rows = [l for l in text if l.startswith("| ")]
    assert all(l.count("|") == 8 for l in rows), rows


def test_usage_and_input_errors_exit_2_and_name_the_problem(tmp_path):
    a = make_run(tmp_path / "a", seconds=4)
    p = compare(a, "--max-regress", "p98=10%", a, check_rc=2)
    assert 'unknown metric "p98"' in p.stderr
    p = compare(a, a, "--max-regress", "p99=ten", check_rc=2)
    assert "the limit must be a percentage (10%), an amount (2ms), or both (10%+2ms)" in p.stderr
    p = compare(a, a, "--max-regress", "p99=10", check_rc=2)
    assert "is not a unit for e2e.p99" in p.stderr
    p = compare(a, a, "--max-regress", check_rc=2)
    assert "--max-regress needs a SPEC" in p.stderr
    p = compare(a, check_rc=2)
    assert "expected two results folders" in p.stderr
    p = compare(a, a, a, check_rc=2)
    assert "got 3" in p.stderr
    p = compare("--baseline", a, check_rc=2)
    assert "the candidate missing" in p.stderr
    p = compare("--baseline", "--candidate", a, check_rc=2)
    assert "--baseline needs at least one results folder" in p.stderr
    p = compare(a, "--baseline", a, "--candidate", a, check_rc=2)
    assert "not both" in p.stderr
    p = compare(a, a, "--frobnicate", check_rc=2)
    assert "unknown option --frobnicate" in p.stderr

    p = compare(a, tmp_path / "missing", check_rc=2)
    assert f"candidate: {tmp_path / 'missing'}" in p.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    p = compare(empty, a, check_rc=2)
    assert f"baseline: {empty}/summary.json: missing" in p.stderr
    broken = make_run(tmp_path / "broken", seconds=4)
    (broken / "summary.json").write_text("{\n\n  \"workload\": }")
    p = compare(a, broken, check_rc=2)
    assert f"{broken}/summary.json: line 3" in p.stderr
    # A limit on a figure a run lacks cannot pass honestly.
    unchecked = make_run(tmp_path / "unchecked", seconds=4, omit=("verdict.json",))
    p = compare(a, unchecked, "--max-regress", "forbidden-anomalies=0", check_rc=2)
    assert "verdict.json is missing" in p.stderr and str(unchecked) in p.stderr
    # Output file that cannot be written.
    p = compare(a, a, "--json", tmp_path / "no-such-dir" / "x.json", check_rc=2)
    assert "cannot write" in p.stderr


def test_help_documents_every_metric_name():
    p = compare("--help", check_rc=0)
    for name in ("throughput", "consume-throughput", "e2e.p99", "publish.p99.9", "e2e-uncorrected.max",
                 "publish-delay.p99", "nacked", "forbidden-anomalies", "late-fraction", "p9999"):
        assert name in p.stdout, name
    assert "--baseline DIR... --candidate DIR..." in p.stdout


def test_different_workloads_are_pointed_out(tmp_path):
    a = make_run(tmp_path / "a", seconds=4, workload="steady")
    b = make_run(tmp_path / "b", seconds=4, workload="bursts")
    p = compare(a, b, check_rc=0)
    assert "note: different workloads: steady" in p.stdout and "bursts" in p.stdout
