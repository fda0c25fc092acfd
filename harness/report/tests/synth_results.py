"""Synthetic results folders for the report and compare tests.

Writes what `streamproof run` writes, exactly as results/README.md,
harness/check/README.md (verdict.json) and harness/hist/hgrm.h (.hgrm,
HdrHistogram_c CLASSIC) specify it, from latency samples drawn with a seeded
generator, so the tests control every figure: a run with a latency spike, a
run whose verdict is invalid, a run nobody consumed from, a run with files
missing.

    from synth_results import make_run
    make_run(tmp_path / "run", seconds=20, faults=[(8, 10, "broker-crash", "kill", "broker")])
"""
import json
import math
import random
from pathlib import Path

ANOMALY_TYPES = [
    ("lost-write", "a message known to be in the log was never applied by the subscription "
                   "although it applied a later offset of the partition"),
    ("unseen", "a message known to be in the log was never applied by the subscription, "
               "which applied no later offset of the partition either"),
    ("duplicate", "one message (writer, seq) is stored at more than one offset"),
    ("redelivered", "one offset was applied more than once by the subscription's application"),
    ("inconsistent-offsets", "one offset was seen holding different messages"),
    ("poll-skip", "a reader incarnation jumped over offsets known to exist"),
    ("nonmonotonic-poll", "a reader incarnation went back to (or repeated) an offset"),
    ("key-order", "messages of one writer with one key are stored out of sequence order"),
    ("content-mismatch", "a payload's identity header parsed but its checksum or record key did not match"),
    ("unknown-message", "a payload without a valid identity header"),
    ("acked-but-missing", "an acked offset is absent from the end-of-run readback"),
]
# Allowed under at_least_once (harness/check/README.md's table).
ALLOWED_AT_LEAST_ONCE = {"duplicate", "redelivered"}

PERCENT_SUFFIX = [("Avg", None), ("50pct", 50), ("75pct", 75), ("95pct", 95), ("99pct", 99),
                  ("999pct", 99.9), ("9999pct", 99.99), ("Max", None)]


def percentile(sorted_values, pct):
    """HdrHistogram Java's rule: the value at or below which pct% lie (count rounded up)."""
    if not sorted_values:
        return 0.0
    if pct <= 0:
        return sorted_values[0]
    k = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[min(k, len(sorted_values)) - 1]


def aggregates(prefix, samples):
    """OMB's aggregate fields <prefix>Avg, ...50pct ... Max."""
    s = sorted(samples)
    out = {}
    for suffix, pct in PERCENT_SUFFIX:
        if suffix == "Avg":
            v = sum(s) / len(s) if s else 0.0
        elif suffix == "Max":
            v = s[-1] if s else 0.0
        else:
            v = percentile(s, pct)
        out[prefix + suffix] = round(v, 3)
    return out


def hgrm_text(samples_ms):
    """The percentile distribution as HdrHistogram_c prints it (CLASSIC,
    5 ticks per half distance, values in ms)."""
    s = sorted(samples_ms)
    n = len(s)
    lines = ["%12s %12s %12s %12s" % ("Value", "Percentile", "TotalCount", "1/(1-Percentile)"), ""]
    if n == 0:
        lines.append("%12.3f %12f %12d %12s" % (0.0, 1.0, 0, "inf"))
        mean = std = mx = 0.0
    else:
        pcts = [0.0]
        level = 0
        while True:
            base = 1 - 0.5 ** level
            step = 0.5 ** (level + 1) / 5
            for t in range(1, 6):
                pcts.append(base + step * t)
            if 1 / (1 - pcts[-1]) > n:
                break
            level += 1
        last_count = 0
        for p in pcts:
            v = percentile(s, p * 100) if p > 0 else s[0]
            count = sum(1 for x in s if x <= v) if p > 0 else 1
            count = max(count, last_count)
            last_count = count
            lines.append("%12.3f %12f %12d %12.2f" % (v, p, count, 1 / (1 - p)))
        lines.append("%12.3f %12f %12d %12s" % (s[-1], 1.0, n, "inf"))
        mean = sum(s) / n
        std = math.sqrt(sum((x - mean) ** 2 for x in s) / n)
        mx = s[-1]
    lines.append("#[Mean    = %12.3f, StdDeviation   = %12.3f]" % (mean, std))
    lines.append("#[Max     = %12.3f, Total count    = %12d]" % (mx, n))
    lines.append("#[Buckets = %12d, SubBuckets     = %12d]" % (22, 2048))
    return "\n".join(lines) + "\n"


def make_run(path, *, workload="synthetic", seconds=20, warmup_s=2, rate=500, seed=1,
             base_ms=2.0, spike_ms=0.0, spike_fraction=0.0, faults=(), verdict="valid",
             anomalies=None, consumed=True, omit=(), throughput_scale=1.0):
    """Writes a results folder at path and returns it.

    Latency samples are lognormal around base_ms; spike_fraction of them get
    spike_ms added (injected latency). faults: (start_s, end_s, id, kind,
    target) windows, end_s None for a fault never healed; throughput drops to
    0 inside them and catches up after. anomalies: {type: count}. consumed:
    False writes a run nobody consumed from. omit: file names not to write.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    anomalies = dict(anomalies or {})
    total_s = seconds + warmup_s + 1  # + one drain second

    def down(t):
        return any(s <= t < (e if e is not None else total_s) for s, e, *_ in faults)

    rows = []
    publish, publish_unc, e2e, e2e_unc = [], [], [], []
    owed = 0
    acked_total = consumed_total = 0
    for t in range(total_s):
        phase = "warmup" if t < warmup_s else ("drain" if t >= warmup_s + seconds else "measure")
        intended = 0 if phase == "drain" else int(rate * throughput_scale)
        if down(t):
            owed += intended
            acked = 0
        else:
            acked = intended + owed
            owed = 0
        pub_s, e2e_s = [], []
        for _ in range(acked):
            lat = rng.lognormvariate(math.log(base_ms), 0.4)
            if spike_fraction and rng.random() < spike_fraction:
                lat += spike_ms
            pub_s.append(lat)
            e2e_s.append(lat + rng.lognormvariate(math.log(base_ms / 2), 0.3))
        cons = acked if consumed else 0
        acked_total += acked
        consumed_total += cons
        if phase != "warmup":
            publish += pub_s
            publish_unc += [x * 0.8 for x in pub_s]
            if consumed:
                e2e += e2e_s
                e2e_unc += [x * 0.8 for x in e2e_s]

        def cells(samples):
            if not samples:
                return ["", "", ""]
            s = sorted(samples)
            return ["%.3f" % percentile(s, 50), "%.3f" % percentile(s, 99), "%.3f" % s[-1]]

        rows.append([t, phase, intended, intended, acked, 0, cons, 0,
                     max(0, acked_total - consumed_total)]
                    + cells(pub_s) + (cells(e2e_s) if consumed else ["", "", ""])
                    + [1 if down(t) else 0])

    files = {}
    header = ("t_s,phase,intended,sent,acked,nacked,consumed,errors,backlog,publish_p50_ms,"
              "publish_p99_ms,publish_max_ms,e2e_p50_ms,e2e_p99_ms,e2e_max_ms,faults_active")
    files["timeline.csv"] = header + "\n" + "".join(",".join(str(c) for c in r) + "\n" for r in rows)
    files["publish.hgrm"] = hgrm_text(publish)
    files["publish-uncorrected.hgrm"] = hgrm_text(publish_unc)
    files["e2e.hgrm"] = hgrm_text(e2e)
    files["e2e-uncorrected.hgrm"] = hgrm_text(e2e_unc)

    measured = [r for r in rows if r[1] == "measure"]
    pub_rate = sum(r[4] for r in measured) / seconds
    con_rate = sum(r[6] for r in measured) / seconds
    summary = {
        "workload": workload, "driver": "refbroker", "messageSize": 100, "topics": 1,
        "partitions": 4, "producersPerTopic": 1, "consumersPerTopic": 1, "sampleRateMillis": 1000,
        "publishRate": [float(r[4]) for r in measured],
        "consumeRate": [float(r[6]) for r in measured],
        "publishErrorRate": [0.0 for _ in measured],
        "backlog": [r[8] for r in measured],
    }
    summary.update(aggregates("aggregatedPublishLatency", publish))
    summary.update({k: v * 1000 for k, v in aggregates("aggregatedPublishDelayLatency", [0.01] * 10).items()})
    summary.update(aggregates("aggregatedEndToEndLatency", e2e))
    summary["uncorrected"] = {**aggregates("aggregatedPublishLatency", publish_unc),
                              **aggregates("aggregatedEndToEndLatency", e2e_unc)}
    summary["counts"] = {"intended": sum(r[2] for r in rows), "sent": sum(r[3] for r in rows),
                         "acked": acked_total, "nacked": 0, "indeterminate": 0,
                         "consumed": consumed_total, "skipped_duplicates": 0, "commit_errors": 0,
                         "consumer_errors": 0, "consumed_per_subscription": {"sub-000": consumed_total}}
    summary["throughput"] = {"publish_msgs_per_s": pub_rate, "publish_mb_per_s": pub_rate * 100 / 1048576,
                             "consume_msgs_per_s": con_rate, "consume_mb_per_s": con_rate * 100 / 1048576,
                             "window_s": float(seconds)}
    summary["schedule"] = {"max_behind_ms": 0.5, "tolerance_ms": 1000.0, "max_late_fraction": 0.01,
                           "late": 0, "late_fraction": 0.0, "kept": True}
    summary["run"] = {"streamproof_version": "0.1.0", "git_commit": "synthetic",
                      "begin_time": "2026-11-22T00:00:00.000Z", "end_time": "2026-11-22T00:00:30.000Z",
                      "duration_s": float(seconds), "warmup_s": float(warmup_s), "measured_s": float(seconds),
                      "elapsed_s": float(total_s), "seed": seed, "command": "synthetic"}
    summary["broker"] = {"kind": "embedded-refbroker", "bootstrap": "127.0.0.1:9092", "flags": ["--fsync", "always"]}
    summary["machine"] = {"hostname": "test", "cpu_model": "synthetic", "cpus": 2,
                          "memory_bytes": 1 << 30, "kernel": "Linux"}
    summary["verdict"] = verdict
    summary["faults"] = len(faults)
    summary["drain"] = {"completed": True, "seconds": 0.1, "readback_completed": True}
    files["summary.json"] = json.dumps(summary, indent=2)

    types = {}
    for name, definition in ANOMALY_TYPES:
        count = anomalies.get(name, 0)
        examples = [{"subscription": "sub-000", "reader": 2, "topic": "t", "partition": 0,
                     "offset": 100 + i, "writer": 0, "seq": 7000 + i, "file": "history/consumer-0.hist",
                     "record": 10 + i, "t_ns": 1000 + i} for i in range(min(count, 3))]
        types[name] = {"count": count, "allowed": name in ALLOWED_AT_LEAST_ONCE, "checked": True,
                       "definition": definition, "by_partition": {"t/0": count} if count else {},
                       "by_subscription": {"sub-000": count} if count else {}, "examples": examples}
    violations = ["sub-000 (at_least_once): %d %s" % (c, n) for n, c in anomalies.items()
                  if c and n not in ALLOWED_AT_LEAST_ONCE]
    files["verdict.json"] = json.dumps({
        "version": 1, "results_dir": str(path), "verdict": verdict, "violations": violations,
        "incomplete": [] if verdict != "unknown" else ["the final drain did not complete"],
        "subscriptions": [{"id": 0, "name": "sub-000", "topic": "t", "semantics": "at_least_once",
                           "verdict": verdict, "applies": consumed_total,
                           "consume_counts": {"1": consumed_total},
                           "anomalies": {n: {"count": t["count"], "allowed": t["allowed"]} for n, t in types.items()}}],
        "anomalies": types,
        "info": {"messages": acked_total, "acked": acked_total, "nacked": 0,
                 "indeterminate_sends": {"total": 0, "in_log": 0, "not_in_log": 0},
                 "torn_history_tails": []},
        "notes": [],
        "input": {"files": [], "records": acked_total * 3, "bytes": 0, "seconds": 0.01,
                  "drain_completed": True, "readback": "complete"},
    }, indent=2)

    lines = []
    for occurrence, (start, end, fid, kind, target) in enumerate(faults):
        base = {"fault": fid, "kind": kind, "target": target, "occurrence": occurrence,
                "params": {"restart_after_s": 2.0}, "result": "ok"}
        lines.append({"mono_ns": int(start * 1e9), "wall": "2026-11-22T00:00:00.000Z", "t_s": start,
                      "planned_t_s": start, "action": "inject", "detail": "killed by SIGKILL", **base})
        if end is not None:
            lines.append({"mono_ns": int(end * 1e9), "wall": "2026-11-22T00:00:00.000Z", "t_s": end,
                          "planned_t_s": end, "action": "heal", "detail": "restart; incarnation 1", **base})
    lines.sort(key=lambda o: o["t_s"])
    files["faults.jsonl"] = "".join(json.dumps(o) + "\n" for o in lines)
    (path / "logs").mkdir(exist_ok=True)
    files["logs/broker.log"] = "broker log line\n"

    for name, text in files.items():
        if name not in omit:
            (path / name).write_text(text)
    return path
