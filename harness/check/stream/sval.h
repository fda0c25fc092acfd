/* sval.h: a field value as operators see it (README "Fields",
 * "Predicates"): missing, a signed 64-bit integer, a real, or a string
 * (bytes, not NUL-terminated). */
#ifndef SP_ORACLE_SVAL_H
#define SP_ORACLE_SVAL_H

#include <stddef.h>
#include <stdint.h>

typedef enum { SV_MISSING = 0, SV_INT, SV_REAL, SV_STR } sv_type;

typedef struct sval {
  sv_type t;
  int64_t i;
  double d;
  const char *s; /* SV_STR: len bytes, owner elsewhere */
  size_t len;
} sval;

static inline sval sval_int(int64_t i) { return (sval){.t = SV_INT, .i = i}; }
static inline sval sval_real(double d) { return (sval){.t = SV_REAL, .d = d}; }
static inline sval sval_str(const char *s, size_t len) { return (sval){.t = SV_STR, .s = s, .len = len}; }

/* Compares a with b: numbers numerically (integers exactly, an integer with
 * a real as doubles), strings bytewise (a proper prefix first). Returns 1
 * and sets *res (<0, 0, >0) when they are comparable; 0 when either is
 * missing or the types differ (a number and a string), which makes every
 * comparison false, `ne` included. */
int sval_compare(const sval *a, const sval *b, int *res);

/* Bytewise order of two byte strings (memcmp, then the shorter first): the
 * key order of every emission in the README. */
int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Text of a value for transform's key: a string as is, an integer in
 * decimal, a real as %.17g, missing "". Writes at most cap bytes (no NUL)
 * into buf and returns the length; strings are returned by pointer instead
 * (*out set to v->s) to avoid a copy. */
size_t sval_text(const sval *v, char *buf, size_t cap, const char **out);

/* Parses a YAML/README scalar: an unquoted scalar that parses as an integer
 * (decimal, optional sign, in range) is SV_INT, one that parses as a real is
 * SV_REAL, anything else (or anything quoted) SV_STR pointing at s. */
sval sval_parse_scalar(const char *s, size_t len, int quoted);

#endif
