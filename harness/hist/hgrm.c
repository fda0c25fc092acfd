/* hgrm.c: writes and parses .hgrm percentile distributions (see hgrm.h). */
#include "hgrm.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

/* ---- writing ----------------------------------------------------------- */

/* The header line(s) of each style, as HdrHistogram prints them. */
static int write_header(FILE *out, sp_hgrm_style style) {
  switch (style) {
  case SP_HGRM_CSV:
    return fprintf(out, "%s,%s,%s,%s\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
  case SP_HGRM_JAVA:
    return fprintf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
                   "1/(1-Percentile)");
  case SP_HGRM_CLASSIC:
  default:
    return fprintf(out, "%12s %12s %12s %12s\n\n", "Value", "Percentile", "TotalCount",
                   "1/(1-Percentile)");
  }
}

/* One row. The value column has SP_HIST_SIGNIFICANT_FIGURES (3) decimals,
 * as HdrHistogram's "%12.<significant figures>f". */
static int write_row(FILE *out, sp_hgrm_style style, double value, double fraction,
                     uint64_t count) {
  double inverted = 1.0 / (1.0 - fraction);
  switch (style) {
  case SP_HGRM_CSV:
    return fprintf(out, "%.3f,%f,%" PRIu64 ",%.2f\n", value, fraction, count, inverted);
  case SP_HGRM_JAVA:
    if (fraction == 1.0) return fprintf(out, "%12.3f %2.12f %10" PRIu64 "\n", value, fraction, count);
    return fprintf(out, "%12.3f %2.12f %10" PRIu64 " %14.2f\n", value, fraction, count, inverted);
  case SP_HGRM_CLASSIC:
  default:
    return fprintf(out, "%12.3f %12f %12" PRIu64 " %12.2f\n", value, fraction, count, inverted);
  }
}

static int write_footer(FILE *out, const sp_hist *h, double ratio) {
  return fprintf(out,
                 "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n"
                 "#[Max     = %12.3f, Total count    = %12" PRIu64 "]\n"
                 "#[Buckets = %12d, SubBuckets     = %12d]\n",
                 sp_hist_mean(h) / ratio, sp_hist_stddev(h) / ratio,
                 (double)sp_hist_max(h) / ratio, h->total_count, SP_HIST_BUCKET_COUNT,
                 SP_HIST_SUB_BUCKET_COUNT);
}

int sp_hgrm_write(FILE *out, const sp_hist *h, int ticks_per_half_distance,
                  double value_unit_ratio, sp_hgrm_style style) {
  SP_ASSERT(ticks_per_half_distance >= 1 && value_unit_ratio > 0.0);
  if (write_header(out, style) < 0) return -1;
  sp_hist_pctl_iter it;
  sp_hist_pctl_iter_init(&it, h, ticks_per_half_distance);
  while (sp_hist_pctl_iter_next(&it)) {
    if (write_row(out, style, (double)it.value_us / value_unit_ratio, it.percentile / 100.0,
                  it.cumulative_count) < 0)
      return -1;
  }
  if (style != SP_HGRM_CSV && write_footer(out, h, value_unit_ratio) < 0) return -1;
  return ferror(out) ? -1 : 0;
}

int sp_hgrm_save(const char *path, const sp_hist *h, int ticks_per_half_distance,
                 double value_unit_ratio, sp_hgrm_style style, char *err, size_t err_len) {
  size_t tmp_len = strlen(path) + 5;
  char *tmp = sp_malloc(tmp_len);
  snprintf(tmp, tmp_len, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  int rc = -1;
  if (!f) {
    snprintf(err, err_len, "%s: %s", tmp, strerror(errno));
    goto done;
  }
  int bad = sp_hgrm_write(f, h, ticks_per_half_distance, value_unit_ratio, style) != 0 ||
            fflush(f) != 0 || fsync(fileno(f)) != 0;
  int saved = errno;
  if (fclose(f) != 0 && !bad) {
    bad = 1;
    saved = errno;
  }
  if (bad || rename(tmp, path) != 0) {
    if (!bad) saved = errno;
    snprintf(err, err_len, "%s: %s", path, strerror(saved));
    unlink(tmp);
    goto done;
  }
  rc = 0;
done:
  free(tmp);
  return rc;
}

/* ---- reading ----------------------------------------------------------- */

typedef struct line_reader {
  const char *p, *end;
  size_t line_no;
  char *buf; /* the current line, NUL-terminated, without \r\n */
  size_t cap;
} line_reader;

/* Next line into r->buf; false at the end of the text. */
static bool next_line(line_reader *r) {
  if (r->p >= r->end) return false;
  const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
  size_t n = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
  if (n + 1 > r->cap) {
    r->cap = n + 1;
    r->buf = sp_realloc(r->buf, r->cap);
  }
  memcpy(r->buf, r->p, n);
  if (n && r->buf[n - 1] == '\r') n--;
  r->buf[n] = '\0';
  r->p = nl ? nl + 1 : r->end;
  r->line_no++;
  return true;
}

static bool blank(const char *s) {
  s += strspn(s, " \t");
  return *s == '\0';
}

/* Which header this line is, or -1 if it is not a header. */
static int header_style(const char *line) {
  static const char classic[] = "       Value   Percentile   TotalCount 1/(1-Percentile)";
  static const char java[] = "       Value     Percentile TotalCount 1/(1-Percentile)";
  if (strcmp(line, classic) == 0) return SP_HGRM_CLASSIC;
  if (strcmp(line, java) == 0) return SP_HGRM_JAVA;
  if (strcmp(line, "Value,Percentile,TotalCount,1/(1-Percentile)") == 0 ||
      strcmp(line, "\"Value\",\"Percentile\",\"TotalCount\",\"1/(1-Percentile)\"") == 0)
    return SP_HGRM_CSV;
  /* Other spacing of the same four titles: read it as classic. */
  char a[16], b[16], c[16], d[24];
  if (sscanf(line, " %15s %15s %15s %23s", a, b, c, d) == 4 && !strcmp(a, "Value") &&
      !strcmp(b, "Percentile") && !strcmp(c, "TotalCount") && !strcmp(d, "1/(1-Percentile)"))
    return SP_HGRM_CLASSIC;
  return -1;
}

/* Splits a row into up to 4 fields at the style's separator (in place). */
static int split_fields(char *line, sp_hgrm_style style, char *fields[4]) {
  int n = 0;
  const char *sep = style == SP_HGRM_CSV ? "," : " \t";
  for (char *save = NULL, *tok = strtok_r(line, sep, &save); tok;
       tok = strtok_r(NULL, sep, &save)) {
    if (n == 4) return 5;
    fields[n++] = tok;
  }
  return n;
}

static bool parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  *out = strtod(s, &end);
  return end != s && *end == '\0' && errno == 0;
}

static bool parse_u64(const char *s, uint64_t *out) {
  char *end;
  if (*s < '0' || *s > '9') return false;
  errno = 0;
  *out = strtoull(s, &end, 10);
  return *end == '\0' && errno == 0;
}

/* Parses one data row; NULL or what is wrong. */
static const char *parse_row(char *line, sp_hgrm_style style, sp_hgrm_row *row) {
  char *f[4];
  int n = split_fields(line, style, f);
  if (n < 3 || n > 4) return "expected 4 columns (Value Percentile TotalCount 1/(1-Percentile))";
  if (!parse_double(f[0], &row->value) || !isfinite(row->value) || row->value < 0)
    return "bad Value";
  if (!parse_double(f[1], &row->percentile) || !(row->percentile >= 0 && row->percentile <= 1))
    return "bad Percentile (must be a fraction 0..1)";
  if (!parse_u64(f[2], &row->total_count)) return "bad TotalCount";
  if (n == 3) {
    if (row->percentile != 1.0) return "only the 100% row may omit 1/(1-Percentile)";
    row->inverted = INFINITY;
  } else if (!parse_double(f[3], &row->inverted)) {
    return "bad 1/(1-Percentile)";
  }
  return NULL;
}

/* Parses the three footer lines (the first is in r->buf). */
static const char *parse_footer(line_reader *r, sp_hgrm_file *out) {
  char tail;
  if (sscanf(r->buf, "#[Mean = %lf, StdDeviation = %lf%c", &out->mean, &out->stddev, &tail) != 3 ||
      tail != ']')
    return "bad footer line, expected #[Mean = m, StdDeviation = s]";
  if (!next_line(r)) return "footer cut short after the Mean line";
  if (sscanf(r->buf, "#[Max = %lf, Total count = %" SCNu64 "%c", &out->max, &out->total_count,
             &tail) != 3 ||
      tail != ']')
    return "bad footer line, expected #[Max = m, Total count = n]";
  if (!next_line(r)) return "footer cut short after the Max line";
  if (sscanf(r->buf, "#[Buckets = %" SCNd64 ", SubBuckets = %" SCNd64 "%c", &out->buckets,
             &out->sub_buckets, &tail) != 3 ||
      tail != ']')
    return "bad footer line, expected #[Buckets = b, SubBuckets = s]";
  out->has_footer = 1;
  return NULL;
}

/* Order checks between consecutive rows; NULL or what is wrong. */
static const char *check_order(const sp_hgrm_row *prev, const sp_hgrm_row *row) {
  if (row->percentile < prev->percentile) return "Percentile goes down";
  if (row->total_count < prev->total_count) return "TotalCount goes down";
  if (row->value < prev->value) return "Value goes down";
  return NULL;
}

/* Reads rows until the footer or the end; NULL or what is wrong. */
static const char *parse_rows(line_reader *r, sp_hgrm_file *out) {
  size_t cap = 0;
  while (next_line(r)) {
    if (blank(r->buf)) {
      if (out->row_count == 0) continue; /* the blank line after the header */
      return "blank line among the rows";
    }
    if (strncmp(r->buf, "#[", 2) == 0) {
      if (out->style == SP_HGRM_CSV) return "footer in a CSV distribution";
      return parse_footer(r, out);
    }
    if (out->row_count == cap) {
      cap = cap ? cap * 2 : 64;
      out->rows = sp_realloc(out->rows, cap * sizeof *out->rows);
    }
    sp_hgrm_row *row = &out->rows[out->row_count];
    const char *why = parse_row(r->buf, out->style, row);
    if (!why && out->row_count) why = check_order(row - 1, row);
    if (why) return why;
    out->row_count++;
  }
  if (out->style != SP_HGRM_CSV) return "no #[Mean ...] footer: file cut short?";
  return NULL;
}

int sp_hgrm_parse(const char *text, size_t len, sp_hgrm_file *out, char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  line_reader r = {text, text + len, 0, NULL, 0};
  const char *why = NULL;
  int style = -1;
  while (style < 0 && next_line(&r)) {
    style = header_style(r.buf);
    if (style < 0) out->skipped_lines++;
  }
  if (style < 0) {
    why = "no header line (Value Percentile TotalCount 1/(1-Percentile))";
  } else {
    out->style = (sp_hgrm_style)style;
    why = parse_rows(&r, out);
  }
  if (!why && out->row_count == 0) why = "no rows";
  if (!why && out->has_footer && out->total_count != out->rows[out->row_count - 1].total_count)
    why = "footer Total count differs from the last row's TotalCount";
  if (!why) {
    while (next_line(&r)) out->skipped_lines += !blank(r.buf);
  }
  free(r.buf);
  if (why) {
    snprintf(err, err_len, "line %zu: %s", r.line_no, why);
    sp_hgrm_file_free(out);
    return -1;
  }
  return 0;
}

int sp_hgrm_load(const char *path, sp_hgrm_file *out, char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  char *text = NULL;
  size_t len = 0, cap = 0, n;
  do {
    if (cap - len < 65536) {
      cap = cap ? cap * 2 : 65536;
      text = sp_realloc(text, cap);
    }
    n = fread(text + len, 1, cap - len, f);
    len += n;
  } while (n > 0);
  int read_err = ferror(f);
  fclose(f);
  char why[256];
  int rc = -1;
  if (read_err)
    snprintf(err, err_len, "%s: read error", path);
  else if (sp_hgrm_parse(text, len, out, why, sizeof why) != 0)
    snprintf(err, err_len, "%s: %s", path, why);
  else
    rc = 0;
  free(text);
  return rc;
}

void sp_hgrm_file_free(sp_hgrm_file *f) {
  free(f->rows);
  f->rows = NULL;
  f->row_count = 0;
}

double sp_hgrm_value_at_percentile(const sp_hgrm_file *f, double percentile) {
  if (f->row_count == 0) return 0.0;
  double want = percentile / 100.0;
  for (size_t i = 0; i < f->row_count; i++)
    if (f->rows[i].percentile >= want) return f->rows[i].value;
  return f->rows[f->row_count - 1].value;
}
