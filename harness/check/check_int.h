/* check_int.h: the state of one `streamproof check` run, shared by the
 * driver (check.c), the verdict (verdict.c) and the two reports
 * (report_json.c, report_text.c). Not part of the public API (check.h). */
#ifndef SP_CHECK_INT_H
#define SP_CHECK_INT_H

#include <stdint.h>

#include "check.h"
#include "findings.h"
#include "meta.h"
#include "model.h"
#include "poll_order.h"
#include "strlist.h"
#include "stream/oracle.h"

/* One file of <run>/history/. */
typedef struct hfile {
  char *name; /* "history/consumer-0.hist" */
  char *path; /* full path */
  int rank;   /* ingest order: producer, readback, consumer, effects */
  int64_t id; /* n of producer-<n>/consumer-<n>, else -1 */
  uint64_t bytes;
  uint64_t torn_bytes;
} hfile;

typedef struct check_state {
  const char *dir;
  const check_options *o;
  check_result *r;
  meta m;
  findings f;
  model md;
  poll_tracker pt;
  hfile *files;
  size_t n_files;
  int have_readback;       /* readback.hist exists */
  int global_incomplete;   /* something makes every verdict at best unknown */
  uint8_t *sub_incomplete; /* [sub] its apply history may lack records */
  strlist notes;           /* harmless oddities */
  strlist violations;      /* forbidden anomalies found, one line per subscription */
  strlist gaps;            /* why the history is incomplete */
  int no_history;          /* no history/meta.json: a processor-only run (stream oracle alone) */
  stream_result sr;        /* the stream oracle (sr.ran: <run>/stream/ exists) */
} check_state;

/* The overall verdict from the delivery checker's and the stream oracle's:
 * invalid wins, then unknown. Adds the oracle's violation and gaps to the
 * state's lists. */
void verdict_with_stream(check_state *st);

/* Per-subscription counts, verdicts, the overall verdict, the allowed and
 * checked flags and the reasons (verdict.c). */
void verdict_judge(check_state *st);
/* Count of anomaly t charged to subscription s: its own for per-subscription
 * types, its topic's for log-level ones. */
uint64_t verdict_sub_count(const check_state *st, uint32_t s, anomaly_type t);

/* Writes verdict.json to path (and, when `also` is set, the same document to
 * it). Returns 0 or -1 with the reason in err. */
int report_json_write(check_state *st, const char *path, FILE *also, char *err, size_t err_len);
/* verdict.json for a run that could not be checked (exit 3). */
int report_json_error(const char *path, const char *error, char *err, size_t err_len);
/* The human summary. */
void report_text_print(check_state *st, FILE *out);

/* "topic/partition" of a tp index. */
void check_tp_name(const check_state *st, uint32_t tp, char *buf, size_t len);

#endif
