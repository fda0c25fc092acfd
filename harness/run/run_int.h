/* run_int.h: the orchestrator's state, shared by the files of harness/run/
 * (not an interface for other components: they read the results folder).
 *
 * One thread does everything: it forks every child (PR_SET_PDEATHSIG is
 * tied to the forking thread, see faults/inject/process.h), reads the
 * workers' control lines, ticks the fault executor and draws the progress
 * line, all from run_pump()'s poll loop. */
#ifndef SP_RUN_INT_H
#define SP_RUN_INT_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdint.h>

#include "drain.h"
#include "executor.h"
#include "process.h"
#include "procjob.h"
#include "run_options.h"
#include "worker_proto.h"
#include "worker_spec.h"
#include "workload.h"

#define RUN_PATH_MAX 4096

typedef enum {
  RW_STARTING = 0, /* spawned, not ready yet */
  RW_READY,        /* client up; waiting for go */
  RW_RUNNING,      /* go sent */
  RW_DONE,         /* said done (END record written) */
  RW_EXITED,       /* process gone */
} rw_state;

/* One incarnation of a worker, for meta.json. */
typedef struct run_incarnation {
  uint32_t id;
  int incarnation;
  const char *exit; /* "clean" | "killed" | "crashed" | "running" */
  uint64_t started_ns, ended_ns;
} run_incarnation;

typedef struct run_worker {
  worker_role role;
  uint32_t index;   /* logical producer or consumer number */
  char name[32];    /* "producer-0": file names, log names */
  char target[32];  /* "producer:0": fault targets */
  worker_spec spec; /* current incarnation's spec */
  char spec_path[RUN_PATH_MAX];
  char log_path[RUN_PATH_MAX];
  sp_proc *proc;
  int fd; /* control connection, -1 none */
  wline_buf in;
  rw_state state;
  int fault_hit;      /* a kill/stop fault targeted the current incarnation */
  int restart_wanted; /* executor asked for a restart we have not done */
  wmsg clock;         /* producers: the clock fault in force (type WMSG_CLOCK), re-sent to a
                       * restarted incarnation; type 0 none */
  run_incarnation *incs;
  size_t n_incs;
  wstats last;     /* latest counters of the current incarnation */
  uint64_t last_stats_ns; /* when they arrived (they were taken just before) */
  wstats finished; /* sum of earlier incarnations' last counters */
  char error[512]; /* last error line */
  uint32_t topic;
  uint32_t subscription; /* consumers */
} run_worker;

typedef struct run_topic {
  char name[200];
  int32_t partitions;
} run_topic;

typedef struct run_sub {
  uint32_t id;    /* index in subs */
  uint32_t topic;
  uint32_t j;     /* subscription number within its topic */
  char name[32];  /* "sub-000" */
  char group[240];
  delivery_semantics semantics;
} run_sub;

/* The stream processor (processor.c): one refstream over the run's topics,
 * when the workload has a processor: section. */
typedef struct run_processor {
  int enabled;
  char refstream[RUN_PATH_MAX];  /* the binary */
  char stream_dir[RUN_PATH_MAX]; /* <run>/stream: job.yaml and the topic dumps */
  char job_path[RUN_PATH_MAX];   /* <run>/stream/job.yaml, placeholders replaced */
  char state_dir[RUN_PATH_MAX];  /* <run>/processor/state: its checkpoints */
  char log_path[RUN_PATH_MAX];   /* <run>/logs/processor.log (every incarnation appends) */
  char fiu_prefix[RUN_PATH_MAX]; /* SP_FIU_CTRL, "" none */
  procjob_info job;              /* name, input and sink topics */
  sp_proc *proc;
  run_incarnation *incs;
  size_t n_incs;
  int fault_hit;  /* a kill/stop/abort fault targeted the current incarnation */
  int fault_down; /* down on purpose; the executor restarts it */
  int died;       /* exited on its own (not a fault): reported once, not restarted */
  int caught_up;  /* end of run: committed offsets reached the input ends */
  double catch_up_s;
  int stopped_clean; /* exit 0 after the final SIGTERM */
  char stop_how[64];
  int copy_complete; /* every input and sink topic copied for the oracle */
  uint64_t copied_records;
  double copy_s;
} run_processor;

/* A rate on the progress line, from the workers' counters. */
typedef struct progress_rate {
  uint64_t ref_ns, ref_count; /* the reference report */
  uint64_t per_s;
  int known; /* computed at least once (else shown as "-") */
} progress_rate;

typedef enum { PH_SETUP = 0, PH_WARMUP, PH_MEASURE, PH_STOPPING, PH_DRAIN, PH_FINISH } run_phase;

typedef struct run_ctx {
  run_options opt;
  workload wl;
  char exe[RUN_PATH_MAX];    /* this program, for workers */
  char dir[RUN_PATH_MAX];    /* results folder */
  char hist_dir[RUN_PATH_MAX], logs_dir[RUN_PATH_MAX], workers_dir[RUN_PATH_MAX],
      hlog_dir[RUN_PATH_MAX];
  char tmp_dir[RUN_PATH_MAX]; /* broker data, proxy socket, fiu FIFOs; removed at the end */
  char workload_json[RUN_PATH_MAX];
  char command[8192];        /* the command line, for summary.json */

  /* broker */
  int embedded;
  char bootstrap[300];      /* what clients connect to */
  char refbroker[RUN_PATH_MAX];
  char **broker_flags;      /* the workload's refbroker flags (summary.json) */
  size_t n_broker_flags;
  sp_proc *broker, *proxy;
  int broker_port, proxy_port;
  char fiu_prefix[RUN_PATH_MAX];    /* broker's libfiu control prefix, "" none */
  char proxy_control[RUN_PATH_MAX]; /* spproxy's control socket, "" none */
  int broker_died;                  /* exited on its own (not a fault) */
  int broker_fault_down;            /* killed/stopped by a fault, restart pending */

  /* topics, subscriptions, workers */
  run_topic *topics;
  uint32_t n_topics;
  run_sub *subs;
  uint32_t n_subs;
  run_worker *workers; /* producers first, then consumers */
  uint32_t n_workers, n_producers, n_consumers;
  uint32_t next_id;    /* writer/reader ids: one space, never reused */
  rd_kafka_t *admin;   /* the orchestrator's own client (metadata, offsets) */

  /* control socket */
  char control_name[108];
  int listen_fd;
  int *pending_fds; /* accepted, no hello yet */
  size_t n_pending;

  /* time (CLOCK_MONOTONIC ns; 0 = not yet) */
  run_phase phase;
  uint64_t t0, t0_wall;
  uint64_t warmup_end, measure_end, producers_stopped, drain_end, end;
  uint64_t begin_wall_ns, end_wall_ns;

  /* schedule as the producers run it (for the timeline's intended column) */
  schedule sched;
  rate_change *rates;
  size_t n_rates;

  /* faults */
  struct sp_schedule *fsched;
  sp_plan plan;
  int have_plan;
  sp_executor *ex;
  int faults_injected;
  char faults_path[RUN_PATH_MAX];
  struct fw_set *fw; /* fault windows (fault_window.h), from the readback on */
  uint64_t fw_check_ns; /* the checker's second pass for them */

  /* drain */
  drain_tracker drain;
  int drain_completed;
  int readback_completed;

  /* backlog (consumerBacklogSizeGB) */
  int backlog_state; /* 0 none, 1 building, 2 draining, 3 done */
  uint64_t backlog_target, backlog_drained_level, backlog_built_ns, backlog_done_ns;

  /* progress */
  int tty;
  uint64_t next_progress;
  progress_rate sent_rate, acked_rate, consumed_rate;
  int progress_drawn;

  run_processor proc; /* the stream processor, when the workload has one */
  char slug[64];       /* the workload's name as used in topic names */
  uint32_t nonce;      /* this run's topic and group names: unique per run */

  int failed; /* a fatal error was reported */
} run_ctx;

/* snprintf for paths and messages built from paths: a result longer than
 * cap is cut (never overflowed); returns what snprintf returns. (gcc's
 * -Wformat-truncation cannot see that cutting is the intent.) */
int run_fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Set by SIGINT/SIGTERM/SIGHUP (run.c installs the handler). */
extern volatile sig_atomic_t run_interrupted;

/* ---- run_pump.c / control.c ---------------------------------------------- */

/* Opens the control socket (abstract UNIX name). 0 or -1 with err. */
int control_open(run_ctx *c, char *err, size_t err_len);
void control_close(run_ctx *c);
/* Waits up to timeout_ms for control lines, worker exits, signals; handles
 * them; ticks the fault executor and the progress display. Returns -1 when
 * interrupted, else 0. */
int run_pump(run_ctx *c, int timeout_ms);
/* Sends "go" to w if it is ready and the run has a t0. */
void worker_go(run_ctx *c, run_worker *w);
/* Reads and handles whatever w sent that is still buffered (its last lines
 * before it exited), so its end is classified on everything it said. */
void worker_read_rest(run_ctx *c, run_worker *w);
/* Sends a message to one worker (if connected). */
int worker_tell(run_worker *w, const wmsg *m);

/* ---- workers.c ------------------------------------------------------------ */

/* Builds topics, subscriptions and the worker table from the workload. */
void workers_plan(run_ctx *c);
/* Writes every spec and spawns every worker. 0 or -1 with err. */
int workers_start(run_ctx *c, char *err, size_t err_len);
/* (Re)spawns one worker as a new incarnation (new id). 0 or -1. */
int worker_spawn(run_ctx *c, run_worker *w, char *err, size_t err_len);
/* Records that w's process is gone; classifies the exit. */
void worker_exited(run_ctx *c, run_worker *w);
/* Finds a worker by fault target ("consumer:2") or name ("consumer-2"). */
run_worker *worker_by_target(run_ctx *c, const char *target);
run_worker *worker_by_name(run_ctx *c, const char *name);
/* Counters summed over all incarnations of w. */
wstats worker_totals(const run_worker *w);
/* Stops all workers of a role: "stop" line (producers: at_ns, nothing
 * intended from then on is sent; 0 = now), wait up to timeout_ms, then
 * SIGTERM, then SIGKILL. */
void workers_stop(run_ctx *c, worker_role role, uint64_t at_ns, int timeout_ms);
void workers_free(run_ctx *c);

/* ---- broker.c --------------------------------------------------------------- */

/* Starts the embedded refbroker (and spproxy in front of it when the fault
 * plan needs the link). 0 or -1 with err. */
int broker_start(run_ctx *c, char *err, size_t err_len);
/* Restarts the broker on the same port and data directory; waits until it
 * listens. 0 or -1. */
int broker_restart(run_ctx *c, char *err, size_t err_len);
void broker_stop(run_ctx *c);
/* A program that ships next to streamproof (bin/), else found on PATH. */
void run_sibling(const run_ctx *c, const char *name, char *out, size_t cap);
/* The last lines of a log file, for an error message. */
void run_log_tail(const char *path, char *out, size_t cap);

/* ---- processor.c: the stream processor --------------------------------------- */

/* Replaces the job's placeholders, writes <run>/stream/job.yaml, asks
 * refstream --check-job. 0; -1 with err (the run cannot go on); -2 with err
 * when the job is wrong (a usage error). No-op without a processor. */
int processor_prepare(run_ctx *c, char *err, size_t err_len);
/* Starts refstream (the topics exist). 0 or -1 with err. */
int processor_start(run_ctx *c, char *err, size_t err_len);
/* Waits for its "ready: job" line (processor.ready_timeout_s). 0 or -1 with
 * err naming the processor log. */
int processor_wait_ready(run_ctx *c, char *err, size_t err_len);
/* Executor hooks: its process, restart (same state directory: it recovers
 * from its checkpoint). */
sp_proc *processor_proc(run_ctx *c);
int processor_restart(run_ctx *c, char *err, size_t err_len);
/* From the poll loop: notices a processor that exited on its own. */
void processor_check(run_ctx *c);
/* End of run (consumers drained, broker still up): waits until it has
 * processed every input record, stops it (final checkpoint), copies every
 * input and sink topic into <run>/stream/ for the stream oracle. */
void processor_finish(run_ctx *c);
/* Stops it now (abort paths). */
void processor_stop(run_ctx *c);
/* summary.json's "processor" section (from its log and the above). */
void processor_summary(run_ctx *c, json_t *summary);
/* The processor lines of the printed summary. */
void processor_print(json_t *summary);
void processor_free(run_ctx *c);

/* ---- admin.c ------------------------------------------------------------------ */

/* Connects the orchestrator's client; fails within timeout_ms when the
 * broker is unreachable. 0 or -1 with err. */
int admin_connect(run_ctx *c, int timeout_ms, char *err, size_t err_len);
/* Creates every topic of the run and waits until all partitions have a
 * leader. 0 or -1 with err. */
int admin_create_topics(run_ctx *c, char *err, size_t err_len);
/* Low and high watermark of one partition. 0 or -1. */
int admin_watermarks(run_ctx *c, uint32_t topic, int32_t partition, int64_t *low, int64_t *high);
void admin_close(run_ctx *c);

/* ---- readback.c --------------------------------------------------------------- */

/* Reads every partition from its log start to its end offset into
 * <run>/history/readback.hist. Returns 1 complete, 0 incomplete (timeout,
 * interruption; what was read is kept), -1 error. */
int readback_run(run_ctx *c, double timeout_s);

/* ---- faults glue (run_faults.c) ------------------------------------------------ */

/* Loads and expands the fault schedule (from --faults or the workload).
 * 0 (also with no schedule) or -1 with err. */
int run_faults_load(run_ctx *c, char *err, size_t err_len);
/* What the plan needs from the processes we start. */
int run_faults_need_link(const run_ctx *c);
int run_faults_need_fiu(const run_ctx *c);     /* libfiu control of the broker */
int run_faults_need_preload(const run_ctx *c); /* POSIX preload for the broker */
int run_faults_need_broker(const run_ctx *c);  /* any broker-process fault */
int run_faults_need_processor_fiu(const run_ctx *c); /* libfiu control of the processor */
/* Starts the executor with time 0 at t0. 0 or -1 with err. */
int run_faults_start(run_ctx *c, char *err, size_t err_len);
/* End of the measured phase: heal what is in effect, restart what is down. */
void run_faults_finish(run_ctx *c);
void run_faults_free(run_ctx *c);

/* ---- run_windows.c: fault windows (fault_window.h) ---------------------------- */

/* Loads the windows from faults.jsonl once the faults are over (before the
 * readback, which feeds them event times). No-op without a fault plan. */
void run_windows_open(run_ctx *c);
/* The checker's anomalies with many examples, placed in the windows
 * (before the histories are scanned). */
void run_windows_anomalies(run_ctx *c);
/* summary.json's fault_windows and fault_window_settings. */
void run_windows_summary(run_ctx *c, json_t *summary);
/* One line per window of a summary, to stdout. */
void run_windows_print(json_t *summary);
void run_windows_close(run_ctx *c);

/* ---- progress.c --------------------------------------------------------------- */

void progress_init(run_ctx *c);
/* Draws the live line (terminal) or a periodic line, when due. */
void progress_tick(run_ctx *c, uint64_t now);
/* Ends the live line before other output. */
void progress_clear(run_ctx *c);

/* ---- results ------------------------------------------------------------------- */

int run_meta_write(run_ctx *c, char *err, size_t err_len);                /* meta.c */
int results_write(run_ctx *c, int verdict, const char *verdict_name,
                  char *err, size_t err_len);                              /* results.c */

/* Sums over all workers of a role (current and earlier incarnations). */
wstats run_totals(const run_ctx *c, worker_role role);
/* Seconds since t0 at now (0 before t0). */
double run_elapsed_s(const run_ctx *c, uint64_t now);
const char *run_phase_name(run_phase p);

#endif
