#!/usr/bin/python3
"""refstream benchmark: throughput with exactly-once on, checkpoint duration
against state size, recovery time after kill -9. Prints medians of --runs.

    /usr/bin/python3 reference/stream/bench/bench.py --bin-dir build-rel/bin

Build a Release tree first (cmake -DCMAKE_BUILD_TYPE=Release). It starts
its own refbroker (--fsync never: the benchmark measures refstream, not the
disk) on a free port with a scratch data directory, preloads the input with
refstream-gen, and removes everything at the end. The input is "already in
the log": refstream starts after the preload and reads it as fast as it can.

1. Throughput: a keyed tumbling-window count (1 s windows, 1000 keys) over
   --records 100-byte streamproof identity messages (1000 per millisecond of
   event time, i.e. a 1,000,000 msg/s stream), refstream run with
   --stop-at-end and pinned to one CPU (taskset) with all its threads;
   records/s from its "stopped:" line. For context, the same measured for a
   bare librdkafka consumer (refstream-bench-consume, the input path's
   ceiling on this machine) and for the engine without Kafka
   (refstream-bench-core).
2. Checkpoint duration against state size: refstream-bench-core's table.
3. Recovery: refstream on a 100,000-key job (1 s windows) is killed with
   SIGKILL in the middle of its input, 1.5 s after a checkpoint, then
   restarted; measured from the restart to its "ready" line (checkpoint
   loaded, output read back) and to "replay caught up" (every result it had
   written before the kill regenerated, i.e. back where it was).
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, **kw):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, **kw)


def wait_line(path, pattern, timeout_s, proc=None):
    deadline = time.monotonic() + timeout_s
    rx = re.compile(pattern)
    while time.monotonic() < deadline:
        if os.path.exists(path):
            m = rx.search(open(path, errors="replace").read())
            if m:
                return m, time.monotonic()
        if proc is not None and proc.poll() is not None:
            return None, time.monotonic()
        time.sleep(0.002)
    return None, time.monotonic()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cpu", default="1", help="CPU list for taskset (empty: do not pin)")
    args = ap.parse_args()
    b = lambda name: os.path.join(args.bin_dir, name)
    pin = ["taskset", "-c", args.cpu] if args.cpu and shutil.which("taskset") else []
    work = tempfile.mkdtemp(prefix="refstream-bench-")
    port = free_port()
    bs = f"127.0.0.1:{port}"
    broker = subprocess.Popen([b("refbroker"), "--listen", bs, "--data-dir", f"{work}/data",
                               "--fsync", "never"], stdout=open(f"{work}/broker.log", "w"),
                              stderr=subprocess.STDOUT)
    try:
        m, _ = wait_line(f"{work}/broker.log", r"listening on", 10, broker)
        assert m, open(f"{work}/broker.log").read()
        print(f"refstream benchmark: {args.records} records, {args.runs} runs, refstream pinned "
              f"to CPU {args.cpu or '-'}; refbroker --fsync never at {bs}; scratch {work}")
        out = run([b("refstream-gen"), "--bootstrap", bs, "--topic", "bench-in", "--count",
                   args.records, "--keys", 1000, "--per-step", 1000, "--format", "identity"],
                  check=True)
        print(f"preload: {out.stdout.strip()}")

        job = f"{work}/count.yaml"
        rates = []
        print("\n1. keyed tumbling-window count, exactly-once on (idempotent producer, "
              "checkpoints every 1000 ms)")
        for r in range(args.runs):
            with open(job, "w") as f:
                f.write("name: bench\nsources:\n  - {name: in, topic: bench-in, format: identity, "
                        "value: one}\npipeline:\n  - window: {type: tumbling, size_ms: 1000, "
                        f"aggregate: [count]}}\nsinks: {{output: bench-out-{r}}}\n")
            out = run([*pin, b("refstream"), "--job", job, "--bootstrap", bs, "--state-dir",
                       f"{work}/state-{r}", "--stop-at-end", "--stats-interval-ms", "0"])
            m = re.search(r"stopped: records=(\d+) \((\d+)/s\) results=(\d+).*checkpoint_ms_avg=([\d.]+)",
                          out.stderr)
            assert m and out.returncode == 0, out.stderr[-2000:]
            rates.append(int(m.group(2)))
            print(f"   run {r + 1}: {int(m.group(2)):>9,} records/s  ({m.group(3)} results, "
                  f"checkpoint {m.group(4)} ms avg)")
        print(f"   median: {statistics.median(rates):,.0f} records/s")
        base = []
        for r in range(args.runs):
            out = run([*pin, b("refstream-bench-consume"), "--bootstrap", bs, "--topic", "bench-in"],
                      check=True)
            base.append(float(re.search(r"\(([\d.]+)/s\)", out.stdout).group(1)))
        print(f"   bare librdkafka consumer, same input and CPU: median {statistics.median(base):,.0f} "
              f"records/s (runs: {', '.join(f'{x:,.0f}' for x in base)})")
        out = run([*pin, b("refstream-bench-core"), "--records", args.records, "--runs", args.runs],
                  check=True)
        core = re.search(r"median: (\d+) records/s", out.stdout).group(1)
        print(f"   engine alone, no Kafka (refstream-bench-core): median {int(core):,} records/s")

        print("\n2. checkpoint duration against state size (refstream-bench-core)")
        for line in out.stdout.splitlines():
            if "windows:" in line:
                print("  " + line.strip())

        print("\n3. recovery after kill -9 (100,000 keys, 1 s windows)")
        n_rec = max(args.records, 2_000_000)
        run([b("refstream-gen"), "--bootstrap", bs, "--topic", "rec-in", "--count", n_rec,
             "--keys", 100000, "--per-step", 1000, "--format", "identity"], check=True)
        ready, caught, internal = [], [], []
        for r in range(args.runs):
            rjob = f"{work}/rec-{r}.yaml"
            with open(rjob, "w") as f:
                f.write("name: rec\nsources:\n  - {name: in, topic: rec-in, format: identity, "
                        "value: one}\npipeline:\n  - window: {type: tumbling, size_ms: 1000, "
                        f"aggregate: [count, sum]}}\nsinks: {{output: rec-out-{r}}}\n")
            argv = [*pin, b("refstream"), "--job", rjob, "--bootstrap", bs, "--state-dir",
                    f"{work}/rstate-{r}", "--checkpoint-interval-ms", "1000", "--stats-interval-ms", "0"]
            log1 = f"{work}/rec-{r}-a.log"
            p = subprocess.Popen(argv, stdout=open(log1, "w"), stderr=subprocess.STDOUT)
            m, _ = wait_line(log1, r"ready:", 60, p)
            assert m, open(log1).read()
            time.sleep(2.5)  # checkpoints at 1 s and 2 s; killed 0.5 s after the second
            p.send_signal(signal.SIGKILL)
            p.wait()
            log2 = f"{work}/rec-{r}-b.log"
            t0 = time.monotonic()
            p = subprocess.Popen(argv, stdout=open(log2, "w"), stderr=subprocess.STDOUT)
            m, t_ready = wait_line(log2, r"recovered in ([\d.]+) ms", 60, p)
            assert m, open(log2).read()
            internal.append(float(m.group(1)))
            ready.append((t_ready - t0) * 1000)
            m2, t_caught = wait_line(log2, r"replay caught up|stats:", 60, p)
            if m2 and "replay caught up" in m2.group(0):
                caught.append((t_caught - t0) * 1000)
            rb = re.search(r"checkpoint \d+ \((\d+) bytes\).*?; (\d+) result", open(log2).read())
            print(f"   run {r + 1}: ready after {ready[-1]:.0f} ms (refstream: {internal[-1]:.1f} ms;"
                  f" checkpoint {rb.group(1)} bytes, {rb.group(2)} results read back), "
                  + (f"caught up after {caught[-1]:.0f} ms" if m2 and "replay caught up" in m2.group(0)
                     else "nothing to replay"))
            p.send_signal(signal.SIGTERM)
            p.wait()
        print(f"   median: ready {statistics.median(ready):.0f} ms after restart (refstream's own "
              f"figure {statistics.median(internal):.1f} ms)"
              + (f", caught up {statistics.median(caught):.0f} ms after restart" if caught else ""))
    finally:
        broker.send_signal(signal.SIGTERM)
        try:
            broker.wait(10)
        except subprocess.TimeoutExpired:
            broker.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
