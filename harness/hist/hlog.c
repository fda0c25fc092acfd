/* hlog.c: HdrHistogram interval logs (format drawn in hlog.h). */
#include "hlog.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "hcodec.h"
#include "log.h"
#include "mem.h"

/* ---- writing ----------------------------------------------------------- */

struct sp_hlog_writer {
  int fd;
  uint64_t base_wall_ns;
  sp_buf line;  /* the line being built: one write(2) */
  sp_buf bytes; /* the compressed histogram */
  sp_hcodec_encoder enc;
};

/* Writes all of buf; 0 or -1 (errno). */
static int write_all(int fd, const char *buf, size_t len) {
  while (len) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Appends printf output to a buffer. */
__attribute__((format(printf, 2, 3))) static void buf_printf(sp_buf *b, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  SP_ASSERT(n >= 0);
  char *dst = (char *)sp_buf_reserve(b, (size_t)n + 1);
  vsnprintf(dst, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  sp_buf_commit(b, (size_t)n);
}

/* Seconds since the epoch with 3 decimals, from ns (exact, no double
 * rounding of large epoch values). */
static void buf_seconds(sp_buf *b, uint64_t ns) {
  uint64_t ms = ns / 1000000u;
  buf_printf(b, "%llu.%03llu", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
}

/* The header of hlog.h, every line under 128 bytes. */
static void build_header(sp_buf *b, uint64_t start_wall_ns, uint64_t base_wall_ns,
                         const char *comment) {
  if (comment && *comment) buf_printf(b, "#[%.100s]\n", comment);
  buf_printf(b, "#[Histogram log format version 1.3]\n");
  time_t secs = (time_t)(start_wall_ns / 1000000000u);
  struct tm tm;
  char date[64];
  gmtime_r(&secs, &tm);
  strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
  buf_printf(b, "#[StartTime: ");
  buf_seconds(b, start_wall_ns);
  buf_printf(b, " (seconds since epoch), %s]\n#[BaseTime: ", date);
  buf_seconds(b, base_wall_ns);
  buf_printf(b, " (seconds since epoch)]\n");
  buf_printf(b, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                "\"Interval_Compressed_Histogram\"\n");
}

sp_hlog_writer *sp_hlog_writer_open(const char *path, uint64_t start_wall_ns,
                                    uint64_t base_wall_ns, const char *comment, char *err,
                                    size_t err_len) {
  if (comment && strpbrk(comment, "\r\n]")) {
    snprintf(err, err_len, "%s: comment must be one line without ']'", path);
    return NULL;
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return NULL;
  }
  sp_hlog_writer *w = sp_calloc(1, sizeof *w);
  w->fd = fd;
  w->base_wall_ns = base_wall_ns;
  build_header(&w->line, start_wall_ns, base_wall_ns, comment);
  if (write_all(fd, (const char *)w->line.data, w->line.len) != 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    sp_buf_free(&w->line);
    close(fd);
    free(w);
    return NULL;
  }
  return w;
}

/* NULL if tag may go in a line, else why not. */
static const char *tag_problem(const char *tag) {
  if (strlen(tag) > SP_HLOG_TAG_MAX) return "tag longer than 64 characters";
  if (strpbrk(tag, ", \t\r\n")) return "tag contains a comma, space or line break";
  return NULL;
}

int sp_hlog_writer_append(sp_hlog_writer *w, const char *tag, uint64_t start_wall_ns,
                          uint64_t end_wall_ns, const sp_hist *h, char *err, size_t err_len) {
  const char *why = tag ? tag_problem(tag) : NULL;
  if (!why && start_wall_ns < w->base_wall_ns) why = "interval starts before BaseTime";
  if (!why && end_wall_ns < start_wall_ns) why = "interval ends before it starts";
  if (why) {
    snprintf(err, err_len, "%s", why);
    errno = EINVAL;
    return -1;
  }
  sp_buf_reset(&w->bytes);
  if (sp_hcodec_encode_with(&w->enc, h, &w->bytes, err, err_len) != 0) return -1;
  sp_buf_reset(&w->line);
  if (tag && *tag) buf_printf(&w->line, "Tag=%s,", tag);
  buf_seconds(&w->line, start_wall_ns - w->base_wall_ns);
  buf_printf(&w->line, ",");
  buf_seconds(&w->line, end_wall_ns - start_wall_ns);
  buf_printf(&w->line, ",%.3f,", (double)sp_hist_max(h) / 1000.0);
  size_t b64 = sp_base64_encoded_len(w->bytes.len);
  char *dst = (char *)sp_buf_reserve(&w->line, b64 + 1);
  sp_base64_encode(w->bytes.data, w->bytes.len, dst);
  dst[b64] = '\n';
  sp_buf_commit(&w->line, b64 + 1);
  if (write_all(w->fd, (const char *)w->line.data, w->line.len) != 0) {
    snprintf(err, err_len, "write: %s", strerror(errno));
    return -1;
  }
  return 0;
}

int sp_hlog_writer_close(sp_hlog_writer *w) {
  if (!w) return 0;
  int rc = fsync(w->fd);
  int saved = errno;
  if (close(w->fd) != 0 && rc == 0) {
    rc = -1;
    saved = errno;
  }
  sp_buf_free(&w->line);
  sp_buf_free(&w->bytes);
  sp_hcodec_encoder_free(&w->enc);
  free(w);
  errno = saved;
  return rc;
}

/* ---- reading ----------------------------------------------------------- */

struct sp_hlog_reader {
  FILE *f;
  char *path;
  char *line;
  size_t line_cap;
  size_t line_no;
  size_t truncated_line;
  bool have_start, have_base;
  double start_s, base_s;
  sp_buf bytes;
  bool filtered;
  sp_hlog_filter filter;
  size_t skipped;
};

sp_hlog_reader *sp_hlog_reader_open(const char *path, char *err, size_t err_len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return NULL;
  }
  sp_hlog_reader *r = sp_calloc(1, sizeof *r);
  r->f = f;
  r->path = sp_strdup(path);
  return r;
}

void sp_hlog_reader_close(sp_hlog_reader *r) {
  if (!r) return;
  fclose(r->f);
  free(r->path);
  free(r->line);
  sp_buf_free(&r->bytes);
  free(r);
}

size_t sp_hlog_reader_truncated_line(const sp_hlog_reader *r) { return r->truncated_line; }
double sp_hlog_reader_start_time_s(const sp_hlog_reader *r) { return r->start_s; }

/* Parses a decimal number up to `sep` (digits, one '.', optional sign);
 * advances *p past the separator. False if malformed. */
static bool take_number(char **p, char sep, double *out) {
  char *end;
  errno = 0;
  *out = strtod(*p, &end);
  if (end == *p || *end != sep || errno != 0 || !isfinite(*out)) return false;
  *p = end + 1;
  return true;
}

/* Reads a "#[StartTime: x" / "#[BaseTime: x" comment into the reader. */
static void scan_comment(sp_hlog_reader *r, const char *line) {
  double v;
  if (sscanf(line, "#[StartTime: %lf", &v) == 1) {
    r->start_s = v;
    r->have_start = true;
  } else if (sscanf(line, "#[BaseTime: %lf", &v) == 1) {
    r->base_s = v;
    r->have_base = true;
  }
}

/* Absolute start of an interval whose line says `ts`, deciding StartTime
 * and BaseTime as HdrHistogram Java's HistogramLogReader does. */
static double absolute_start(sp_hlog_reader *r, double ts) {
  if (!r->have_start) {
    r->start_s = ts;
    r->have_start = true;
  }
  if (!r->have_base) {
    r->base_s = ts < r->start_s - 365 * 24 * 3600.0 ? r->start_s : 0.0;
    r->have_base = true;
  }
  return ts + r->base_s;
}

/* Parses one interval line (NUL-terminated, no newline); NULL or what is
 * wrong. Leaves the base64 text at *b64. */
static const char *parse_fields(sp_hlog_reader *r, char *line, sp_hlog_entry *e, char **b64) {
  char *p = line;
  e->tag[0] = '\0';
  if (strncmp(p, "Tag=", 4) == 0) {
    char *comma = strchr(p + 4, ',');
    if (!comma) return "Tag= without a following field";
    size_t n = (size_t)(comma - (p + 4));
    if (n > SP_HLOG_TAG_MAX) return "tag longer than 64 characters";
    memcpy(e->tag, p + 4, n);
    e->tag[n] = '\0';
    p = comma + 1;
  }
  double ts;
  if (!take_number(&p, ',', &ts) || ts < 0) return "bad StartTimestamp";
  if (!take_number(&p, ',', &e->length_s) || e->length_s < 0) return "bad Interval_Length";
  if (!take_number(&p, ',', &e->max_field)) return "bad Interval_Max";
  e->start_s = absolute_start(r, ts);
  e->offset_s = e->start_s - r->start_s;
  *b64 = p;
  return NULL;
}

/* Decodes the base64 histogram at b64 into h; NULL or what is wrong
 * (written into why_buf). */
static const char *decode_histogram(sp_hlog_reader *r, const char *b64, sp_hist *h,
                                    char *why_buf, size_t why_len) {
  size_t len = strlen(b64), n, bad_at;
  if (len == 0) return "no histogram";
  sp_buf_reset(&r->bytes);
  uint8_t *dst = sp_buf_reserve(&r->bytes, len / 4 * 3 + 3);
  if (sp_base64_decode(b64, len, dst, &n, &bad_at) != 0) {
    if (bad_at == len)
      snprintf(why_buf, why_len, "base64: length %zu is not a multiple of 4", len);
    else
      snprintf(why_buf, why_len, "base64: invalid character at column %zu",
               (size_t)(b64 - r->line) + bad_at + 1);
    return why_buf;
  }
  char codec_err[160];
  if (sp_hcodec_decode(dst, n, h, codec_err, sizeof codec_err) != 0) {
    snprintf(why_buf, why_len, "histogram: %s", codec_err);
    return why_buf;
  }
  return NULL;
}

/* Reads the next line into r->line; 1 complete, 0 end, 2 truncated final
 * line, -1 line too long. */
static int read_line(sp_hlog_reader *r) {
  ssize_t n = getline(&r->line, &r->line_cap, r->f);
  if (n < 0) return 0;
  r->line_no++;
  if ((size_t)n > SP_HLOG_LINE_MAX) return -1;
  if (r->line[n - 1] != '\n') return 2;
  r->line[--n] = '\0';
  if (n && r->line[n - 1] == '\r') r->line[--n] = '\0';
  return 1;
}

/* True when the filter takes entry e. */
static bool wanted(const sp_hlog_filter *f, const sp_hlog_entry *e) {
  if (f->tag && strcmp(f->tag, e->tag) != 0) return false;
  return e->offset_s >= f->range_start_s && e->offset_s <= f->range_end_s;
}

void sp_hlog_reader_set_filter(sp_hlog_reader *r, const sp_hlog_filter *filter) {
  r->filter = *filter;
  r->filtered = true;
}

size_t sp_hlog_reader_skipped(const sp_hlog_reader *r) { return r->skipped; }

int sp_hlog_reader_next(sp_hlog_reader *r, sp_hlog_entry *e, sp_hist *h, char *err,
                        size_t err_len) {
  char why_buf[200];
  for (;;) {
    int rc = read_line(r);
    if (rc == 0) return 0;
    if (rc == 2) {
      r->truncated_line = r->line_no;
      return 0;
    }
    const char *why = rc < 0 ? "line longer than 16 MiB" : NULL;
    char *line = r->line, *b64 = NULL;
    if (!why && (line[0] == '\0' || line[0] == '#')) {
      if (line[0] == '#') scan_comment(r, line);
      continue;
    }
    if (!why && line[0] == '"') continue; /* the legend */
    if (!why) why = parse_fields(r, line, e, &b64);
    if (!why && r->filtered && !wanted(&r->filter, e)) {
      r->skipped++;
      continue;
    }
    if (!why) why = decode_histogram(r, b64, h, why_buf, sizeof why_buf);
    if (why) {
      snprintf(err, err_len, "%s: line %zu: %s", r->path, r->line_no, why);
      sp_hist_reset(h);
      return -1;
    }
    e->line_no = r->line_no;
    return 1;
  }
}

int sp_hlog_merge_file(const char *path, const sp_hlog_filter *filter, sp_hist *dst,
                       sp_hlog_merge_stats *stats, char *err, size_t err_len) {
  memset(stats, 0, sizeof *stats);
  sp_hlog_reader *r = sp_hlog_reader_open(path, err, err_len);
  if (!r) return -1;
  sp_hist *interval = sp_hist_new(), *sum = sp_hist_new();
  sp_hlog_entry e;
  int rc;
  sp_hlog_reader_set_filter(r, filter);
  while ((rc = sp_hlog_reader_next(r, &e, interval, err, err_len)) == 1) {
    sp_hist_add(sum, interval);
    stats->intervals_merged++;
  }
  stats->intervals_skipped = r->skipped;
  stats->truncated_line = r->truncated_line;
  if (rc == 0) {
    sp_hist_add(dst, sum); /* all or nothing: dst untouched on error */
    if (stats->truncated_line)
      sp_warn("%s: line %zu: truncated final interval skipped (writer stopped mid-line)", path,
              stats->truncated_line);
  }
  sp_hist_free(interval);
  sp_hist_free(sum);
  sp_hlog_reader_close(r);
  return rc == 0 ? 0 : -1;
}
