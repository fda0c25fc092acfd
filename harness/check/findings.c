/* findings.c: see findings.h. */
#include "findings.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sp_assert.h"

void findings_init(findings *f, size_t n_tp, size_t n_sub, size_t ex_max) {
  memset(f, 0, sizeof *f);
  f->n_tp = n_tp;
  f->n_sub = n_sub;
  f->ex_max = ex_max;
  for (int t = 0; t < ANOM_COUNT; t++) {
    f->by_tp[t] = sp_calloc(n_tp ? n_tp : 1, sizeof(uint64_t));
    if (anomaly_per_subscription((anomaly_type)t))
      f->by_sub[t] = sp_calloc(n_sub ? n_sub : 1, sizeof(uint64_t));
    f->ex[t] = sp_calloc(ex_max ? ex_max : 1, sizeof(example));
  }
}

void findings_free(findings *f) {
  for (int t = 0; t < ANOM_COUNT; t++) {
    free(f->by_tp[t]);
    free(f->by_sub[t]);
    free(f->ex[t]);
  }
  memset(f, 0, sizeof *f);
}

example *findings_add(findings *f, anomaly_type t, uint32_t tp, int32_t sub) {
  SP_ASSERT(t < ANOM_COUNT && tp < f->n_tp);
  f->total[t]++;
  f->by_tp[t][tp]++;
  if (anomaly_per_subscription(t)) {
    SP_ASSERT(sub >= 0 && (size_t)sub < f->n_sub);
    f->by_sub[t][sub]++;
  }
  if (f->ex_n[t] >= f->ex_max) return NULL;
  example *e = &f->ex[t][f->ex_n[t]++];
  memset(e, 0, sizeof *e);
  e->sub = sub;
  e->reader = EX_NONE;
  e->tp = tp;
  e->offset = -1;
  e->offset2 = -1;
  e->file = EX_NONE;
  e->key = 0xffffffffu;
  return e;
}
