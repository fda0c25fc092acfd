/* op_countwin.c: windows by count (README "Windows", count windows).
 *
 * Per key, records are numbered 0, 1, 2, ... in the order they reach the
 * operator. Window k covers the key's records [k * advance,
 * k * advance + size) and is emitted once (rev 0) the moment its last
 * record arrives, with that record's time; start and end are record
 * numbers. No watermark, nothing late; an unfinished window waits. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "ptrvec.h"
#include "smap.h"
#include "window.h"

typedef struct cwin {
  int64_t start, end;
  agg a;
} cwin;

typedef struct ckey {
  int64_t next; /* number of the key's next record */
  ptrvec open;  /* unfinished windows (cwin), by start */
} ckey;

typedef struct count_state {
  const job_window *cfg;
  smap keys;
} count_state;

static void *count_create(task *t, int op) {
  count_state *s = sp_calloc(1, sizeof *s);
  s->cfg = &t->j->ops[op].u.window;
  return s;
}

static void count_record(task *t, int op, void *state, const frec *r) {
  count_state *s = state;
  int inserted;
  ckey **slot = (ckey **)smap_put(&s->keys, r->key, r->key_len, &inserted);
  if (inserted) *slot = sp_calloc(1, sizeof(ckey));
  ckey *k = *slot;
  int64_t n = k->next++;
  if (n % s->cfg->advance == 0) {
    cwin *w = arena_alloc(&t->ar, sizeof *w);
    w->start = n;
    w->end = n + s->cfg->size;
    agg_init(&w->a);
    ptrvec_push(&k->open, w);
  }
  for (size_t i = 0; i < k->open.n;) {
    cwin *w = k->open.v[i];
    agg_add(&w->a, r->value, &r->cv);
    if (w->end == n + 1) {
      ptrvec_remove_at(&k->open, i);
      window_emit(t, op, r->key, r->key_len, w->start, w->end, 0, &w->a, r->ts, NULL, 0);
    } else {
      i++;
    }
  }
}

static void count_destroy(void *state) {
  count_state *s = state;
  for (size_t i = 0; i < s->keys.cap; i++)
    if (s->keys.slots[i].key) {
      ckey *k = s->keys.slots[i].value;
      ptrvec_free(&k->open);
      free(k);
    }
  smap_free(&s->keys);
  free(s);
}

const op_impl op_countwin_impl = {.create = count_create, .record = count_record,
                                  .destroy = count_destroy};
