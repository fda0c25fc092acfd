/* fault_window.h: what each fault did to the run, measured from the
 * results: one window per fault occurrence (faults.jsonl: from its
 * inject to its heal), related to the histories (every ACK, NACK, APPLY
 * and failed COMMIT record), the rate schedule, the readback's event
 * times and the checker's anomalies. summary.json's `fault_windows` is
 * this module's output; results/README.md defines every field.
 *
 * Clock: everything is CLOCK_MONOTONIC ns, the clock of the histories
 * and of faults.jsonl's mono_ns; "s" figures are seconds since t0.
 *
 * Definitions (the README has the user's version):
 *   window      [start, end]: the inject record's time to the heal
 *               record's (an "end of run" heal included); never healed:
 *               end = the producers' stop instant
 *   span        [start, max(end, start + 1 bin)): messages *intended* in
 *               it are "the window's messages"
 *   context C   FW_CONTEXT_NS: "before" = [start - C, start) clipped at
 *               t0, "after" = [end, end + C) clipped at the stop instant
 *   ack gap     the longest interval between two consecutive ACKs of the
 *               whole run that overlaps the window and in which some
 *               message was intended (open when no ACK follows)
 *   recovery    the first bin boundary T >= end from which, for
 *               FW_HOLD_NS, messages intended in [T, T + hold) are acked
 *               (consumed) no slower than the slowest message intended in
 *               the C before the fault; the backlog likewise returns to
 *               its largest value of the C before the fault
 *
 * Time is cut into bins (10 ms, or coarser for runs longer than
 * FW_MAX_BINS x 10 ms); gaps and recoveries are exact to one bin.
 * Latency percentiles are exact up to FW_SAMPLE_CAP samples per
 * population, then estimated from a seeded uniform sample of that size
 * (the max stays exact). */
#ifndef SP_FAULT_WINDOW_H
#define SP_FAULT_WINDOW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"

#define FW_BIN_NS 10000000ull           /* 10 ms */
#define FW_MAX_BINS 262144u             /* longer runs get wider bins */
#define FW_CONTEXT_NS 5000000000ull     /* before / after spans: 5 s */
#define FW_HOLD_NS 1000000000ull        /* recovery must hold for 1 s */
#define FW_SAMPLE_CAP 65536u            /* latency samples kept per population */
#define FW_ANOMALY_EXAMPLES 10000       /* checker examples asked for per type */
#define FW_LINE_EXAMPLES 3              /* anomaly examples kept per window */

typedef struct fw_set fw_set;

typedef struct fw_params {
  uint64_t t0_ns;      /* the run's t0 */
  uint64_t t0_wall_ns; /* t0 on the wall clock (event times are wall ms) */
  uint64_t end_ns;     /* the last record time to expect (end of the drain) */
  uint64_t stop_ns;    /* the producers' stop instant (end of the measured phase) */
  uint32_t subs_per_topic; /* backlog = acked x this - consumed; 0: no consumers */
  /* messages of all producers intended before rel_ns since t0 (schedule.h) */
  uint64_t (*intended_before)(void *ctx, uint64_t rel_ns);
  void *ctx;
} fw_params;

/* An empty set for one run (no windows yet). */
fw_set *fw_new(const fw_params *p);
void fw_free(fw_set *s);

/* Reads faults.jsonl: one window per (fault, occurrence, target) with an
 * inject record (a failed inject is a window with result "error" and no
 * measurements). A missing file means no faults. 0, or -1 with err (an
 * unreadable file; malformed lines are skipped and counted). */
int fw_load_faults(fw_set *s, const char *path, char *err, size_t err_len);
size_t fw_count(const fw_set *s);

/* Writer id -> fault target ("producer:3"), so a clock fault's event-time
 * figures cover only its producer's messages. */
void fw_map_writer(fw_set *s, uint32_t writer, const char *target);

/* The checker's "anomalies" object (verdict.json layout, with many
 * examples): each example is attributed to the windows it belongs to.
 * Call before the records: examples that name only a message (writer,
 * seq) are placed by that message's ACK/NACK. */
void fw_add_anomalies(fw_set *s, json_t *anomalies);

/* Feeds one history record (ACK, NACK, APPLY, COMMIT; others ignored). */
void fw_record(fw_set *s, const hist_record *r);

/* Feeds one message read back from the log: its identity's event time
 * (wall ms) against its send time (clock windows count the messages
 * *sent* in them, before-spans likewise). */
void fw_event_time(fw_set *s, uint32_t writer, uint64_t intended_ns, uint64_t sent_ns,
                   int64_t event_time_ms);

/* Computes every window's figures: a JSON array (new reference), in the
 * order of the inject records. */
json_t *fw_json(fw_set *s);

/* The settings the figures were computed with (summary.json
 * `fault_window_settings`). */
json_t *fw_settings_json(const fw_set *s);

/* One human line for one element of fw_json's array. */
void fw_format_line(json_t *w, char *buf, size_t cap);

#endif
