/* engine.c: see engine.h. */
#include "engine.h"

#include <stdlib.h>

#include "mem.h"

rs_engine *rs_engine_new(const rs_job *job, const int *partitions, rs_emit_fn emit, void *ctx) {
  const rs_source_cfg *main = &job->sources[0];
  rs_engine *e = sp_calloc(1, sizeof *e);
  e->job = job;
  e->topic_base = sp_calloc((size_t)main->n_topics, sizeof *e->topic_base);
  e->topic_parts = sp_calloc((size_t)main->n_topics, sizeof *e->topic_parts);
  for (int t = 0; t < main->n_topics; t++) {
    e->topic_base[t] = e->n_tasks;
    e->topic_parts[t] = partitions[t];
    e->n_tasks += partitions[t];
  }
  e->tasks = sp_calloc((size_t)e->n_tasks + 1, sizeof *e->tasks);
  for (int t = 0; t < main->n_topics; t++)
    for (int p = 0; p < partitions[t]; p++) {
      int idx = e->topic_base[t] + p;
      e->tasks[idx] = rs_task_new(job, idx, main->topics[t], p, emit, ctx);
    }
  return e;
}

void rs_engine_free(rs_engine *e) {
  if (!e) return;
  for (int i = 0; i < e->n_tasks; i++) rs_task_free(e->tasks[i]);
  free(e->tasks);
  free(e->topic_base);
  free(e->topic_parts);
  free(e);
}

rs_task *rs_engine_route(rs_engine *e, int src, int topic, int32_t partition, int *input) {
  if (src == 0) {
    if (topic < 0 || topic >= e->job->sources[0].n_topics) return NULL;
    if (partition < 0 || partition >= e->topic_parts[topic]) return NULL;
    *input = 0;
    return e->tasks[e->topic_base[topic] + partition];
  }
  if (partition < 0 || partition >= e->n_tasks) return NULL;
  rs_task *t = e->tasks[partition];
  if (t->n_inputs < 2 || t->in[1].src != src) return NULL;
  *input = 1;
  return t;
}

void rs_engine_save(rs_engine *e, sp_buf *b) {
  kw_i32(b, e->n_tasks);
  sp_buf tb = SP_BUF_INIT;
  for (int i = 0; i < e->n_tasks; i++) {
    sp_buf_reset(&tb);
    rs_task_save(e->tasks[i], &tb);
    kw_bytes(b, tb.data, (int32_t)tb.len);
  }
  sp_buf_free(&tb);
}

int rs_engine_load(rs_engine *e, kreader *r) {
  if (kr_i32(r) != e->n_tasks || r->err) return -1;
  for (int i = 0; i < e->n_tasks; i++) {
    kslice s = kr_bytes(r);
    if (r->err || s.len < 0) return -1;
    kreader sub;
    kr_init(&sub, s.ptr, (size_t)s.len);
    if (rs_task_load(e->tasks[i], &sub) != 0 || sub.err || kr_remaining(&sub)) return -1;
  }
  return 0;
}

rs_task_stats rs_engine_stats(const rs_engine *e) {
  rs_task_stats s = {0};
  for (int i = 0; i < e->n_tasks; i++) {
    const rs_task_stats *t = &e->tasks[i]->stats;
    s.records += t->records;
    s.bad += t->bad;
    s.late += t->late;
    s.results += t->results;
    s.suppressed += t->suppressed;
    s.marks += t->marks;
    s.dropped += t->dropped;
  }
  return s;
}
