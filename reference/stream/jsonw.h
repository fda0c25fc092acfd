/* jsonw.h: a small, fast JSON writer appending to an sp_buf.
 *
 * refstream's output records are JSON objects built field by field on the
 * hot path, so this avoids printf and any tree: the caller writes keys and
 * values in order and is responsible for the commas (jw_key adds one unless
 * it is the first key after jw_open). Strings are escaped per RFC 8259;
 * bytes that are not valid UTF-8 are written as \u00XX escapes of each byte
 * so the output is always valid JSON (a reader sees Latin-1 for them). */
#ifndef RS_JSONW_H
#define RS_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct jw {
  sp_buf *b;
  int first; /* no comma before the next key/element */
} jw;

void jw_init(jw *w, sp_buf *b);
void jw_open(jw *w);   /* { */
void jw_close(jw *w);  /* } */
void jw_aopen(jw *w);  /* [ */
void jw_aclose(jw *w); /* ] */
/* Writes ,"key": (comma when needed). */
void jw_key(jw *w, const char *key);
/* Writes a comma before an array element when needed. */
void jw_elem(jw *w);
void jw_str(jw *w, const char *s, size_t len);
void jw_cstr(jw *w, const char *s);
void jw_i64(jw *w, int64_t v);
void jw_u64(jw *w, uint64_t v);
/* Shortest text that reads back as the same double; null for NaN/inf. */
void jw_double(jw *w, double v);
void jw_null(jw *w);
void jw_bool(jw *w, int v);
/* Appends text that already is one JSON value (the caller vouches). */
void jw_raw(jw *w, const void *json, size_t len);
/* 16 lower-case hex digits. */
void jw_hex64(jw *w, uint64_t v);

/* Appends the decimal text of v to b (no JSON quoting); returns its length. */
size_t rs_i64_text(char *out, int64_t v);

#endif
