/* predicate.c: evaluation (parsing is in job.c). See predicate.h. */
#include "predicate.h"

#include <stdlib.h>
#include <string.h>

/* Orders value v against constant c: sets *order to <0, 0, >0 and returns
 * 0, or returns -1 when they cannot be compared (missing or other type). */
static int order_of(const rs_value *v, const rs_const *c, int64_t mod, int *order) {
  if (v->type == RS_V_NONE) return -1;
  if (mod) {
    if (v->type != RS_V_INT || c->type != RS_V_INT) return -1;
    int64_t r = v->i % mod;
    if (r < 0) r += mod;
    *order = (r > c->i) - (r < c->i);
    return 0;
  }
  if (v->type == RS_V_STR || c->type == RS_V_STR) {
    if (v->type != RS_V_STR || c->type != RS_V_STR) return -1;
    size_t clen = strlen(c->s);
    size_t n = v->len < clen ? v->len : clen;
    int m = memcmp(v->s, c->s, n);
    *order = m ? m : (v->len > clen) - (v->len < clen);
    return 0;
  }
  if (v->type == RS_V_INT && c->type == RS_V_INT) {
    *order = (v->i > c->i) - (v->i < c->i);
    return 0;
  }
  double a = v->type == RS_V_INT ? (double)v->i : v->d;
  double b = c->type == RS_V_INT ? (double)c->i : c->d;
  *order = (a > b) - (a < b);
  return 0;
}

static int eval_cmp(const rs_pred *p, const rs_rec *r) {
  rs_value v;
  rs_rec_get(r, &p->field, &v);
  int order;
  if (p->cmp == RS_CMP_IN) {
    for (size_t i = 0; i < p->n_consts; i++)
      if (order_of(&v, &p->consts[i], p->mod, &order) == 0 && order == 0) return 1;
    return 0;
  }
  if (order_of(&v, &p->consts[0], p->mod, &order) != 0) return 0;
  switch (p->cmp) {
  case RS_CMP_EQ: return order == 0;
  case RS_CMP_NE: return order != 0;
  case RS_CMP_LT: return order < 0;
  case RS_CMP_LE: return order <= 0;
  case RS_CMP_GT: return order > 0;
  case RS_CMP_GE: return order >= 0;
  case RS_CMP_IN: break;
  }
  return 0;
}

int rs_pred_eval(const rs_pred *p, const rs_rec *r) {
  switch (p->kind) {
  case RS_P_CMP: return eval_cmp(p, r);
  case RS_P_NOT: return !rs_pred_eval(p->kids[0], r);
  case RS_P_ALL:
    for (size_t i = 0; i < p->n_kids; i++)
      if (!rs_pred_eval(p->kids[i], r)) return 0;
    return 1;
  case RS_P_ANY:
    for (size_t i = 0; i < p->n_kids; i++)
      if (rs_pred_eval(p->kids[i], r)) return 1;
    return 0;
  }
  return 0;
}

void rs_pred_free(rs_pred *p) {
  if (!p) return;
  for (size_t i = 0; i < p->n_kids; i++) rs_pred_free(p->kids[i]);
  free(p->kids);
  for (size_t i = 0; i < p->n_consts; i++) free(p->consts[i].s);
  free(p->consts);
  free(p->field.path);
  free(p);
}
