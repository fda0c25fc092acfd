/* poll_order.c: see poll_order.h. */
#include "poll_order.h"

#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "mem.h"

void poll_init(poll_tracker *pt, const meta *m, findings *f) {
  memset(pt, 0, sizeof *pt);
  pt->m = m;
  pt->f = f;
  pt->lanes = sp_calloc(m->n_readers ? m->n_readers : 1, sizeof *pt->lanes);
}

/* Partitions of the topic reader r's subscription reads. */
static uint32_t reader_partitions(const poll_tracker *pt, uint32_t r) {
  const meta *m = pt->m;
  return m->topics[m->subs[meta_reader_sub(m, r)].topic].partitions;
}

void poll_free(poll_tracker *pt) {
  for (size_t r = 0; r < pt->m->n_readers; r++) {
    if (!pt->lanes[r]) continue;
    for (uint32_t p = 0; p < reader_partitions(pt, (uint32_t)r); p++)
      free(pt->lanes[r][p].deferred);
    free(pt->lanes[r]);
  }
  free(pt->lanes);
  free(pt->jumps);
  memset(pt, 0, sizeof *pt);
}

/* The lanes of reader r, created (all reset) on first use. */
static poll_lane *lanes_of(poll_tracker *pt, uint32_t r) {
  if (!pt->lanes[r]) {
    uint32_t n = reader_partitions(pt, r);
    pt->lanes[r] = sp_calloc(n, sizeof(poll_lane));
    for (uint32_t p = 0; p < n; p++) pt->lanes[r][p].last = -1;
  }
  return pt->lanes[r];
}

static void jump_push(poll_tracker *pt, const poll_jump *j) {
  if (pt->n_jumps == pt->cap_jumps) {
    pt->cap_jumps = pt->cap_jumps ? pt->cap_jumps * 2 : 64;
    pt->jumps = sp_realloc(pt->jumps, pt->cap_jumps * sizeof *pt->jumps);
  }
  pt->jumps[pt->n_jumps++] = *j;
}

/* One event on one lane. */
static void lane_feed(poll_tracker *pt, uint32_t r, uint32_t partition, poll_lane *lane,
                      const poll_event *ev) {
  if (ev->type == HIST_ASSIGN || ev->type == HIST_REVOKE || ev->type == HIST_READER_START) {
    lane->last = -1;
    return;
  }
  const meta *m = pt->m;
  uint32_t sub = meta_reader_sub(m, r);
  uint32_t tp = m->topics[m->subs[sub].topic].tp_base + partition;
  if (lane->last >= 0 && ev->offset <= lane->last) {
    example *e = findings_add(pt->f, ANOM_NONMONOTONIC_POLL, tp, (int32_t)sub);
    if (e) {
      e->reader = (int32_t)r;
      e->offset2 = lane->last;
      e->offset = ev->offset;
      e->file = (int32_t)ev->file;
      e->rec = ev->rec;
      e->t_ns = ev->t_ns;
    }
  } else if (lane->last >= 0 && ev->offset > lane->last + 1) {
    poll_jump j = {r, tp, lane->last, ev->offset, ev->file, ev->rec, ev->t_ns};
    jump_push(pt, &j);
  }
  lane->last = ev->offset;
}

void poll_feed(poll_tracker *pt, uint32_t reader, const poll_event *ev, int32_t partition) {
  poll_lane *lanes = lanes_of(pt, reader);
  if (partition >= 0) {
    lane_feed(pt, reader, (uint32_t)partition, &lanes[partition], ev);
    return;
  }
  uint32_t n = reader_partitions(pt, reader);
  for (uint32_t p = 0; p < n; p++) lane_feed(pt, reader, p, &lanes[p], ev);
}

static void defer_one(poll_lane *lane, const poll_event *ev) {
  if (lane->n == lane->cap) {
    lane->cap = lane->cap ? lane->cap * 2 : 8;
    lane->deferred = sp_realloc(lane->deferred, lane->cap * sizeof *lane->deferred);
  }
  lane->deferred[lane->n++] = *ev;
}

void poll_defer(poll_tracker *pt, uint32_t reader, const poll_event *ev, int32_t partition) {
  poll_lane *lanes = lanes_of(pt, reader);
  if (partition >= 0) {
    defer_one(&lanes[partition], ev);
    return;
  }
  uint32_t n = reader_partitions(pt, reader);
  for (uint32_t p = 0; p < n; p++) defer_one(&lanes[p], ev);
}

void poll_feed_merged(poll_tracker *pt, uint32_t reader, const poll_event *ev, int32_t partition) {
  poll_lane *lane = &lanes_of(pt, reader)[partition];
  while (lane->pos < lane->n && lane->deferred[lane->pos].t_ns <= ev->t_ns)
    lane_feed(pt, reader, (uint32_t)partition, lane, &lane->deferred[lane->pos++]);
  lane_feed(pt, reader, (uint32_t)partition, lane, ev);
}

void poll_flush(poll_tracker *pt) {
  for (uint32_t r = 0; r < pt->m->n_readers; r++) {
    if (!pt->lanes[r]) continue;
    for (uint32_t p = 0; p < reader_partitions(pt, r); p++) {
      poll_lane *lane = &pt->lanes[r][p];
      while (lane->pos < lane->n) lane_feed(pt, r, p, lane, &lane->deferred[lane->pos++]);
    }
  }
}
