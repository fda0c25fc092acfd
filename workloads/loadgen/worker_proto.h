/* worker_proto.h: the line protocol between `streamproof run` (the
 * orchestrator) and its worker processes (one producer or one consumer
 * each).
 *
 * Transport: a stream socket. The orchestrator listens on an abstract UNIX
 * socket named in each worker's spec ("@streamproof-<pid>-<nonce>"); every
 * worker connects once at start. Why not the worker's stdin/stdout: the
 * shared child-process module (faults/inject/process.h) gives children
 * /dev/null as stdin and the log file as stdout, so every byte a worker
 * prints lands in <run>/logs/ and nothing is lost if the orchestrator stops
 * reading; control goes through its own channel.
 *
 * One message per line, "verb key=value key=value ...", ASCII, at most
 * WMSG_LINE_MAX bytes with the newline. Unknown keys are ignored (a newer
 * worker can talk to an older orchestrator); a missing required key or a
 * malformed number is an error naming the line.
 *
 *   worker -> run
 *     hello name=producer-0 pid=4242 id=7        first line after connecting
 *     ready                                       client up, topic known (producer) /
 *                                                 first assignment received (consumer)
 *     stats t=12 sent=.. acked=.. nacked=.. consumed=.. skipped=.. late=..
 *           behind_us=.. p99_us=.. errors=..     once a second, cumulative counts of
 *                                                 this incarnation; p99 of the last interval
 *     pos 0:3:1234 0:4:99 ...                     consumer: next offset to process per
 *                                                 topic:partition, sent when it changes
 *     done sent=.. acked=.. ...                   clean end (END record written), then exit
 *     error text=...                              fatal, then exit non-zero
 *
 *   run -> worker
 *     go t0=<mono ns> wall=<wall ns> [end=<mono ns>]
 *                                                 start of load (t0 may be in the past
 *                                                 for a restarted worker); a producer
 *                                                 sends nothing intended at or after end
 *     end at=<mono ns>                            producer: the end, once it is known
 *     rate at=<ns since t0> rate=<msg/s>          producer: new total rate from then on
 *     pause / resume                              consumer: stop / restart fetching
 *     clock skew_ms=.. late_fraction=.. late_max_ms=..  producer: event-time fault on
 *     clock off                                   ... and off
 *     stop [at=<mono ns>]                         finish cleanly: a producer sends nothing
 *                                                 intended at or after `at` (0: now), then
 *                                                 flushes; a consumer commits and leaves
 */
#ifndef SP_WORKER_PROTO_H
#define SP_WORKER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define WMSG_LINE_MAX 4096
#define WMSG_POS_MAX 64 /* partition positions per pos line */

typedef enum {
  WMSG_HELLO,
  WMSG_READY,
  WMSG_STATS,
  WMSG_POS,
  WMSG_DONE,
  WMSG_ERROR,
  WMSG_GO,
  WMSG_RATE,
  WMSG_PAUSE,
  WMSG_RESUME,
  WMSG_CLOCK,
  WMSG_CLOCK_OFF,
  WMSG_STOP,
  WMSG_END,
} wmsg_type;

/* Counters a worker reports (cumulative over the incarnation). */
typedef struct wstats {
  uint64_t interval;  /* t: seconds since t0 of the interval just closed */
  uint64_t sent;      /* producer: handed to the client */
  uint64_t acked;     /* producer: acknowledged */
  uint64_t nacked;    /* producer: failed */
  uint64_t consumed;  /* consumer: applied (processed) */
  uint64_t skipped;   /* consumer: exactly-once duplicates skipped */
  uint64_t late;      /* producer: sent later than the schedule tolerance allows */
  uint64_t behind_us; /* producer: largest sent - intended so far */
  uint64_t p99_us;    /* p99 of the last interval (publish or end-to-end) */
  uint64_t errors;    /* consumer: poll/commit errors */
  uint64_t bytes;     /* payload bytes sent (producer) or consumed (consumer) */
} wstats;

typedef struct wpos {
  uint32_t topic;
  int32_t partition;
  int64_t offset; /* next offset to process */
} wpos;

typedef struct wmsg {
  wmsg_type type;
  /* hello */
  char name[64];
  int64_t pid;
  uint32_t id;
  /* stats, done */
  wstats stats;
  /* pos */
  wpos pos[WMSG_POS_MAX];
  int n_pos;
  /* go */
  uint64_t t0_mono_ns, t0_wall_ns, end_ns;
  /* rate (at: since t0), stop and end (at: CLOCK_MONOTONIC, 0 = now) */
  uint64_t at_ns;
  double rate;
  /* clock */
  int64_t skew_ms;
  double late_fraction;
  int64_t late_max_ms;
  /* error */
  char text[512];
} wmsg;

/* Parses one line (without the newline). 0, or -1 with the reason in err. */
int wmsg_parse(const char *line, wmsg *m, char *err, size_t err_len);

/* Formats m as one line with the newline into buf. Returns the length, or
 * -1 if it does not fit. Text (error) is cleaned of newlines. */
int wmsg_format(const wmsg *m, char *buf, size_t cap);

const char *wmsg_type_name(wmsg_type t);

/* Splits a byte stream into lines. Feed what read(2) returned; take lines
 * until wline_next returns NULL. A line longer than WMSG_LINE_MAX is an
 * error (the peer is broken): wline_next sets *overflow. */
typedef struct wline_buf {
  char data[WMSG_LINE_MAX * 2];
  size_t len;
  size_t consumed; /* bytes of data already returned as lines */
} wline_buf;

void wline_init(wline_buf *b);
/* Room to read into: returns where, and *room how much. */
char *wline_space(wline_buf *b, size_t *room);
void wline_commit(wline_buf *b, size_t n);
/* The next complete line (NUL-terminated, newline removed), or NULL. */
char *wline_next(wline_buf *b, int *overflow);

#endif
