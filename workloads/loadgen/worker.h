/* worker.h: what producer and consumer processes share.
 *
 *   streamproof worker producer --spec <run>/workers/producer-0.json
 *   streamproof worker consumer --spec <run>/workers/consumer-1.json
 *
 * A worker loads its spec and the run's workload, connects to the
 * orchestrator's control socket (worker_proto.h), builds its client, says
 * "ready", waits for "go" (the run's t0), runs until "stop" (or SIGTERM),
 * writes its history END record, says "done" and exits 0. Exit status 1
 * after a fatal error (also reported on the control socket and in the log),
 * 2 for a bad command line or spec.
 *
 * Threads: the worker's own (producer: send loop; consumer: poll loop), a
 * producer's delivery-report thread, and a control thread that reads
 * commands and sends a stats line every second. Counters shared with the
 * control thread are relaxed atomics; histograms are never shared (each
 * recording thread owns an interval recorder and writes its own .hlog
 * lines under the hlog mutex).
 *
 * Time: every latency is CLOCK_MONOTONIC nanoseconds; interval k of the
 * .hlog covers [t0 + k s, t0 + k + 1 s), stamped on the wall clock as
 * [t0_wall + k s, ...), with BaseTime = t0_wall in every worker's log so
 * the orchestrator can merge them line by line. */
#ifndef SP_WORKER_H
#define SP_WORKER_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "hist.h"
#include "hlog.h"
#include "worker_proto.h"
#include "worker_spec.h"
#include "workload.h"

#define WORKER_INTERVAL_NS 1000000000ull
#define WORKER_MAX_TAGS 4

typedef struct worker worker;

/* Commands the control thread received, for the worker's own loop. */
typedef struct worker_clock {
  int on;
  int64_t skew_ms;
  double late_fraction;
  int64_t late_max_ms;
} worker_clock;

struct worker {
  worker_spec spec;
  workload wl;
  int ctl_fd;
  pthread_mutex_t send_mu; /* one line at a time on ctl_fd */
  pthread_t ctl_thread;
  int ctl_started;

  atomic_int go;          /* t0 known */
  atomic_int stop;        /* finish cleanly */
  atomic_uint_fast64_t stop_at_ns; /* producer: send nothing intended at or after (0: none) */
  atomic_uint_fast64_t end_ns;     /* producer: the load's end (go end=, end at=); 0: open */
  atomic_int paused;      /* consumer: orchestrator asked to pause */
  atomic_int orphaned;    /* control socket closed: the orchestrator is gone */
  atomic_int done_sent;   /* the final line went out: the control thread stops */
  uint64_t t0_mono_ns, t0_wall_ns; /* valid once go != 0 */
  pthread_mutex_t go_mu;
  pthread_cond_t go_cv;

  pthread_mutex_t cmd_mu; /* rates and clock below */
  rate_change *new_rates; /* received, not yet applied by the producer */
  size_t n_new_rates;
  worker_clock clock;
  atomic_int rates_pending; /* new_rates is not empty */
  atomic_int clock_changed;

  /* counters the control thread reports (relaxed atomics) */
  atomic_uint_fast64_t sent, acked, nacked, consumed, skipped, late, behind_us, errors, bytes;
  atomic_uint_fast64_t last_p99_us;

  sp_hlog_writer *hlog; /* opened at go (needs t0) */
  pthread_mutex_t hlog_mu;
};

/* One recording thread's histograms for the current interval. */
typedef struct ivl_rec {
  worker *w;
  int n_tags;
  const char *tags[WORKER_MAX_TAGS];
  sp_hist *h[WORKER_MAX_TAGS];
  int p99_tag;            /* tag whose p99 is reported in stats, -1: none */
  uint64_t interval;      /* index of the interval being recorded */
  uint64_t next_boundary; /* mono ns where it ends */
  int started;
} ivl_rec;

/* ---- recorder (one per recording thread) ------------------------------ */

void ivl_init(ivl_rec *r, worker *w, const char *const *tags, int n_tags, int p99_tag);
/* Closes the current interval if now has passed its end: appends one .hlog
 * line per non-empty tag and starts the interval now falls in. Cheap when
 * nothing is due (one compare). Only after go. Returns 1 when it rolled. */
int ivl_roll(ivl_rec *r, uint64_t now_ns);
/* Records a latency of value_ns into tag (call ivl_roll(now) first). */
static inline void ivl_record(ivl_rec *r, int tag, int64_t value_ns) {
  sp_hist_record_ns(r->h[tag], value_ns);
}
/* Writes the current (partial) interval and frees the histograms. */
void ivl_finish(ivl_rec *r);

/* ---- the worker -------------------------------------------------------- */

/* Entry point of `streamproof worker ...` (argv[0] is "worker"). */
#include "worker_main.h"

/* Sends one message to the orchestrator (thread-safe). 0 or -1. */
int worker_send(worker *w, const wmsg *m);
/* Reports a fatal error on the control socket and in the log. */
void worker_fail(worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Blocks until go (returns 0) or stop/orphaned (returns -1). */
int worker_wait_go(worker *w);
/* Fills the current counters into s. */
void worker_snapshot(worker *w, wstats *s);
/* Builds a librdkafka configuration from the spec (bootstrap, client id,
 * log routed to our log). NULL with err on a bad property. */
rd_kafka_conf_t *worker_rdkafka_conf(worker *w, char *err, size_t err_len);
/* True once the worker should finish (stop command, SIGTERM, orphaned). */
int worker_stopping(worker *w);

/* The two roles (producer.c, consumer.c). Return the exit status. */
int producer_run(worker *w);
int consumer_run(worker *w);

#endif
