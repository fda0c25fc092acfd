/* schedule.h: fault schedules: the YAML file, its validation, and its
 * expansion into a sorted plan of concrete timed actions.
 *
 * Two steps, both pure (no process is touched):
 *
 *   sp_schedule *s = sp_schedule_load("faults/quickstart.yaml", err, sizeof err);
 *   sp_plan plan;
 *   sp_topology topo = {.producers = 2, .consumers = 3, .has_processor = 0, .has_link = 1};
 *   if (sp_schedule_expand(s, sp_schedule_seed(s, run_seed), &topo, &plan, err, sizeof err)) ...
 *   ... hand `plan` to the executor (executor.h) ...
 *   sp_plan_free(&plan); sp_schedule_free(s);
 *
 * Loading checks everything that can be checked from the file alone (keys,
 * value types and ranges, kinds, target names, fault-point names, repetition
 * that would overlap itself); expansion resolves the seeded choices (random
 * start in a window, random repetition intervals, a random consumer) and
 * checks what needs the workload (producer:3 exists; two faults do not hold
 * the same target at once). Every error is one line
 * "path:line:column: fault 'id': key 'k': what is wrong".
 *
 * Determinism: each fault draws from its own random stream, seeded from the
 * plan seed and the fault's id. The same file and seed give the same plan,
 * and adding or removing one fault leaves the others' times unchanged. The
 * file format is documented with every field in faults/README.md. */
#ifndef SP_FAULTS_SCHEDULE_H
#define SP_FAULTS_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

typedef enum {
  SP_FAULT_KIND_KILL,  /* SIGKILL the target; restart after restart_after_s */
  SP_FAULT_KIND_STOP,  /* SIGTERM (SIGKILL after grace_s); restart after restart_after_s */
  SP_FAULT_KIND_PAUSE, /* SIGSTOP for duration_s, then SIGCONT */
  SP_FAULT_KIND_FIU,   /* arm a libfiu point in the target (its own or a POSIX one) */
  SP_FAULT_KIND_DISK,  /* POSIX preload I/O errors / short writes (sugar over fiu) */
  SP_FAULT_KIND_NET,   /* a toxic on the TCP fault proxy (spproxy) */
  SP_FAULT_KIND_CLOCK, /* event-time faults that producers apply */
} sp_fault_kind;

typedef enum {
  SP_TARGET_BROKER,
  SP_TARGET_PROCESSOR,
  SP_TARGET_PRODUCER,      /* producer:N */
  SP_TARGET_CONSUMER,      /* consumer:N */
  SP_TARGET_ANY_PRODUCER,  /* "producers": a seeded random one per occurrence */
  SP_TARGET_ANY_CONSUMER,  /* "consumers": a seeded random one per occurrence */
  SP_TARGET_LINK,          /* the proxy between clients and the broker */
} sp_target_kind;

typedef struct sp_target {
  sp_target_kind kind;
  int index; /* N for producer:N / consumer:N, else -1 */
} sp_target;

/* Proxy traffic directions (Toxiproxy's words): upstream = client to
 * broker, downstream = broker to client. */
#define SP_DIR_UPSTREAM 1
#define SP_DIR_DOWNSTREAM 2
#define SP_DIR_BOTH 3

typedef enum {
  SP_NET_LATENCY,   /* latency_ms (+ jitter_ms): delivery delayed, order kept */
  SP_NET_BANDWIDTH, /* rate_bytes_per_s per connection and direction */
  SP_NET_RESET,     /* RST every connection; refuse new ones for duration_s */
  SP_NET_BLACKHOLE, /* nothing forwarded (bytes held, delivered on heal) */
  SP_NET_SLICER,    /* segment_bytes pieces with delay_us between them */
} sp_net_toxic;

/* kind fiu and disk: what to arm. A disk fault expands to one point per
 * listed operation ("ops: [fsync, fdatasync]"). */
typedef struct sp_fault_fiu {
  char **points;
  int n_points;
  int failnum;        /* SP_FAULT_FAIL / SP_FAULT_DELAY / SP_FAULT_ABORT (fault.h) */
  long failinfo;      /* errno for fail, milliseconds for delay, 0 otherwise */
  int once;           /* libfiu onetime: fires at most once per arming */
  double probability; /* 1.0 = every time */
} sp_fault_fiu;

typedef struct sp_fault_net {
  sp_net_toxic toxic;
  int direction; /* SP_DIR_* */
  long latency_ms, jitter_ms;
  long rate_bytes_per_s;
  long segment_bytes, delay_us;
} sp_fault_net;

/* kind clock: parameters producers apply to the event time they stamp. */
typedef struct sp_fault_clock {
  long skew_ms;         /* added to every event time (negative = behind) */
  double late_fraction; /* this fraction of events is made late ... */
  long late_max_ms;     /* ... by a uniform 0..late_max_ms (out of order) */
} sp_fault_clock;

/* One fault as written in the file. Times are seconds from run start. */
typedef struct sp_fault {
  char *id;
  sp_fault_kind kind;
  sp_target target;
  int line, column; /* of the fault's entry in the file, 1-based */

  int has_window;       /* start: at_s, or uniform in [window_from_s, window_to_s] */
  double at_s, window_from_s, window_to_s;

  double duration_s;      /* pause/fiu/disk/net/clock; < 0: not healed by time */
  double restart_after_s; /* kill/stop; fiu abort: restart a crashed target; < 0: never */
  double grace_s;         /* stop: SIGKILL if still alive this long after SIGTERM */

  int repeats;                     /* every: given */
  double every_min_s, every_max_s; /* next start = previous start + U[min, max] */
  double until_s;                  /* no occurrence starts after this (< 0: none) */
  int count;                       /* at most this many occurrences (0: no cap) */

  sp_fault_fiu fiu;     /* kind fiu, disk */
  sp_fault_net net;     /* kind net */
  sp_fault_clock clock; /* kind clock */
} sp_fault;

typedef struct sp_schedule {
  char *path;
  char *description;
  int has_seed;
  uint64_t seed;
  sp_fault *faults;
  int n_faults;
} sp_schedule;

/* What the run has, for resolving and checking targets. */
typedef struct sp_topology {
  int producers;     /* logical producers: valid producer:N are 0..producers-1 */
  int consumers;
  int has_processor; /* a refstream runs */
  int has_link;      /* clients go through spproxy */
} sp_topology;

typedef enum { SP_ACTION_INJECT, SP_ACTION_HEAL } sp_action_phase;

/* One concrete timed action. Inject and heal come in pairs (`pair` indexes
 * the other one); a one-shot fault (kill without restart, reset without
 * refusal, fiu without duration) has only an inject (pair = -1). */
typedef struct sp_action {
  double t_s;            /* seconds from run start */
  const sp_fault *fault; /* the spec, owned by the schedule */
  int fault_index;       /* index in the schedule */
  sp_action_phase phase;
  int occurrence; /* 0, 1, 2 ... for repeated faults */
  char target[32];/* concrete: "broker", "processor", "producer:2", "consumer:0", "link" */
  int pair;       /* index of the matching inject/heal in the plan, or -1 */
} sp_action;

typedef struct sp_plan {
  sp_action *actions; /* sorted by t_s; at equal times heals first, then file order */
  int n_actions;
  uint64_t seed;
} sp_plan;

/* Reads and validates a schedule file. NULL with the error in err. */
sp_schedule *sp_schedule_load(const char *path, char *err, size_t err_cap);

/* Same for a schedule embedded in another YAML document (a workload's
 * `faults:` section): `node` is either the schedule mapping ({seed, faults})
 * or directly the sequence of faults. `path` is used in messages only. */
sp_schedule *sp_schedule_from_node(yaml_document_t *doc, yaml_node_t *node, const char *path,
                                   char *err, size_t err_cap);

void sp_schedule_free(sp_schedule *s);

/* The seed to expand with: the file's `seed:` if it has one, else run_seed. */
uint64_t sp_schedule_seed(const sp_schedule *s, uint64_t run_seed);

/* Expands into concrete actions. 0, or -1 with the error in err (the plan is
 * then empty). The plan points into `s`: free the plan first. */
int sp_schedule_expand(const sp_schedule *s, uint64_t seed, const sp_topology *topo,
                       sp_plan *out, char *err, size_t err_cap);

void sp_plan_free(sp_plan *p);

/* Names for logs and faults.jsonl. */
const char *sp_fault_kind_name(sp_fault_kind k);
const char *sp_net_toxic_name(sp_net_toxic t);
const char *sp_direction_name(int direction);
const char *sp_fiu_mode_name(int failnum);

/* "EIO" for 5, or the number as text; buf must hold 16 bytes. */
const char *sp_errno_name(int e, char buf[16]);
/* errno for "EIO"/"ENOSPC"/... or a decimal number; -1 if unknown. */
int sp_errno_parse(const char *s);

#endif
