/* predicate.h: conditions on record fields (filter, pattern steps).
 *
 * YAML forms (README.md, "Predicates"):
 *   {field: F, eq|ne|lt|le|gt|ge: V}     compare (numbers numerically,
 *                                         strings bytewise)
 *   {field: F, in: [V, ...]}             equal to one of the values
 *   {field: F, mod: M, eq: R}            (F mod M) compared with R (integers)
 *   {all: [P, ...]}, {any: [P, ...]}, {not: P}
 * A comparison whose field is missing, or whose types differ (a number
 * against a string), is false; so is its `ne`. */
#ifndef RS_PREDICATE_H
#define RS_PREDICATE_H

#include "record.h"

typedef enum { RS_P_ALL, RS_P_ANY, RS_P_NOT, RS_P_CMP } rs_pred_kind;
typedef enum { RS_CMP_EQ, RS_CMP_NE, RS_CMP_LT, RS_CMP_LE, RS_CMP_GT, RS_CMP_GE, RS_CMP_IN } rs_cmp;

typedef struct rs_const {
  rs_vtype type; /* RS_V_INT, RS_V_REAL or RS_V_STR */
  int64_t i;
  double d;
  char *s;
} rs_const;

typedef struct rs_pred {
  rs_pred_kind kind;
  /* RS_P_CMP */
  rs_field field;
  rs_cmp cmp;
  int64_t mod; /* 0: none */
  rs_const *consts; /* one, or the `in` list */
  size_t n_consts;
  /* ALL/ANY/NOT */
  struct rs_pred **kids;
  size_t n_kids;
} rs_pred;

int rs_pred_eval(const rs_pred *p, const rs_rec *r);
void rs_pred_free(rs_pred *p);

#endif
