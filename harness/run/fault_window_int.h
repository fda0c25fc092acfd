/* fault_window_int.h: the state behind fault_window.h, shared by its two
 * files (fault_window.c collects, fault_window_report.c computes and
 * formats). Not an interface. */
#ifndef SP_FAULT_WINDOW_INT_H
#define SP_FAULT_WINDOW_INT_H

#include "fault_window.h"
#include "rng.h"

/* Latency samples (us) of one population: exact count and max, and up to
 * FW_SAMPLE_CAP values (a uniform reservoir beyond that) for percentiles. */
typedef struct fw_samples {
  uint64_t n, max_us;
  uint32_t *v;
  size_t len, cap;
} fw_samples;

/* Event-time offsets (event time - wall time of the send), ms. */
typedef struct fw_offsets {
  uint64_t n;
  int64_t min_ms, max_ms;
  double sum_ms;
} fw_offsets;

/* One slice of time. Counts by record time, maxima by intended time
 * (the messages intended in the bin), lag by apply time. */
typedef struct fw_bin {
  uint64_t first_ack_ns, last_ack_ns; /* 0: no ack in the bin */
  uint32_t acked, nacked, applied, commit_errors;
  uint32_t int_acked, int_applied;    /* messages intended here: acks, applies */
  uint32_t pub_max_us, e2e_max_us;    /* ... their slowest ack and apply */
  uint32_t lag_max_us;                /* slowest apply (consume - intended) made here */
} fw_bin;

/* An anomaly example, placed in time. */
typedef struct fw_anomaly {
  char type[32];
  json_t *example;   /* the checker's example (borrowed from s->anomalies) */
  uint64_t t_ns;     /* record time; 0 none */
  uint32_t writer;
  uint64_t seq;
  int has_msg;       /* names a message (writer, seq) */
  uint64_t from_ns, to_ns; /* the message in flight: intended -> ack/nack (0: unknown) */
  int outcome;       /* the message's ACK/NACK was found */
} fw_anomaly;

typedef struct fw_window {
  char fault[72], kind[16], target[48];
  long occurrence;
  json_t *params;     /* the inject record's params (owned) */
  char error[256];    /* inject failed: why ("" ok) */
  int healed;
  uint64_t start_ns, end_ns;
  json_t *events;     /* observe / restart / rearm records: [{action, t_s, detail}] */
  /* measurements */
  uint64_t int_acked, int_nacked;   /* window's messages with an ACK / NACK */
  uint64_t max_int_to_ack_ns;
  uint64_t nacks, commit_errors;    /* records inside [start, end] */
  fw_samples pub, pub_before, e2e, e2e_before;
  fw_offsets evt, evt_before;
  uint32_t n_anom_types;
  char anom_type[16][32];
  uint64_t anom_count[16];
  json_t *anom_examples; /* up to FW_LINE_EXAMPLES */
  uint64_t recovered_ns;  /* the later of the publish and consumer recoveries (0: none) */
} fw_window;

struct fw_set {
  fw_params p;
  uint64_t bin_ns;
  size_t n_bins;
  fw_bin *bins;
  fw_window *w;
  size_t n, cap;
  uint64_t max_reach_ns; /* longest [start - C, span end) of any window */
  size_t bad_lines;
  rng r;                 /* reservoir draws: seeded, so re-analysis agrees */
  /* writers -> targets */
  uint32_t *writer_ids;
  char (*writer_targets)[48];
  size_t n_writers;
  /* anomalies */
  json_t *anomalies;     /* the checker's object (owned reference) */
  fw_anomaly *anom;
  size_t n_anom, cap_anom;
  uint32_t *anom_by_msg; /* indexes of message anomalies sorted by (writer, seq) */
  size_t n_anom_by_msg;
  int anomalies_complete; /* every anomaly's example was seen (count <= examples) */
  int have_anomalies;
  int have_event_times;
};

/* The span a window's messages are intended in: [start, span_end). */
uint64_t fw_span_end(const fw_set *s, const fw_window *w);
/* Bin index of a time (clamped to the bins). */
size_t fw_bin_of(const fw_set *s, uint64_t t_ns);

#endif
