/* fault_bands.h: faults.jsonl read into the report's fault table and the
 * plots' fault bands.
 *
 * faults.jsonl (results/README.md, written by the fault executor) holds one
 * JSON object per line, in time order: "t_s" (seconds since t0), "fault"
 * (the schedule's id), "kind", "target", "action" ("inject", "heal", or
 * "rearm" after a restart), "occurrence" (which repetition of the fault),
 * "result" ("ok", or "error" with "error": why; the README's older form
 * "error: why" is read too), "detail", "params".
 *
 * A band is the window a fault was in force: an inject whose result is ok,
 * up to the heal with the same fault, occurrence and target (without
 * "occurrence", the oldest open inject of that fault and target). An inject
 * never healed lasts to the end of the run. A failed inject draws no band
 * (the table still lists it).
 *
 * The bands file the gnuplot scripts read (plots/faults.csv):
 *
 *   start_s,end_s,label,row,label_s
 *   8.002715,10.022838,broker-crash: kill broker,0,9.012777
 *
 * label has no commas or quotes (they would split the CSV); row is the
 * label's line, counted from the top, chosen so neighbouring labels do not
 * overlap, or -1 for a label not drawn (a repeat of an earlier fault with
 * no room left); label_s is where the label is centred: on its band,
 * moved inwards when it would stick out of the plot. */
#ifndef SP_REPORT_FAULT_BANDS_H
#define SP_REPORT_FAULT_BANDS_H

#include <stddef.h>

#include "notes.h"

typedef struct fault_event {
  int line;          /* in faults.jsonl, from 1 */
  double t_s;        /* seconds since t0 */
  long occurrence;   /* -1 when the line has none */
  char *fault, *kind, *target, *action;
  char *error;       /* NULL when the result is ok */
  char *detail;      /* "" when none */
  char *params;      /* the params object as compact JSON, "" when none */
} fault_event;

typedef struct fault_band {
  double start_s, end_s;
  int healed;        /* 0: still in force when the run ended */
  int row;           /* label row (fault_bands_rows); -1: label not drawn */
  double label_s;    /* the label's centre (fault_bands_rows) */
  char *label;       /* "fault: kind target" */
} fault_band;

typedef struct fault_list {
  fault_event *events;
  size_t n_events;
  fault_band *bands;
  size_t n_bands;
} fault_list;

/* Parses faults.jsonl text. end_s: when the run ended (the end of a band
 * never healed). Lines that are not JSON objects with a number "t_s" and a
 * string "action" are skipped with a note ("faults.jsonl line 7: ..."); a
 * cut last line (no newline: the harness died mid-write) is noted as such.
 * Never fails. */
void fault_list_parse(const char *text, size_t len, double end_s, fault_list *out, notes *nt);

/* Reads path; 0 when loaded, 1 when the file does not exist (no faults
 * recorded: an empty list), -1 with err when it cannot be read. */
int fault_list_load(const char *path, double end_s, fault_list *out, notes *nt, char *err,
                    size_t err_cap);
void fault_list_free(fault_list *fl);

/* Places the band labels on a plot spanning [0, end_s], labels being
 * seconds_per_char wide per character (the plot's seconds per pixel times
 * a character's width): each centred on its band, moved inwards to stay
 * inside the plot, on the first of max_rows rows whose previous label ends
 * before this one starts, or when every row is taken, the row whose last
 * label ends first. A label equal to one already drawn (a fault repeated
 * every few seconds) goes only on the top row and only where it has room,
 * else it is left out (row -1; the band itself still shows), so repeats
 * never push other faults' labels down. */
void fault_bands_rows(fault_list *fl, double seconds_per_char, int max_rows, double end_s);

/* Writes the bands CSV (layout above). 0, or -1 with err. */
int fault_bands_write_csv(const fault_list *fl, const char *path, char *err, size_t err_cap);

#endif
