/* log.c: see log.h. Also home of sp_assert_fail (sp_assert.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sp_assert.h"

static const char *log_program = "streamproof";
static sp_log_level log_min_level = SP_LOG_INFO;

void sp_log_init(const char *program, sp_log_level min_level) {
  log_program = program;
  log_min_level = min_level;
  const char *env = getenv("SP_LOG_LEVEL");
  if (!env) return;
  static const char *names[] = {"debug", "info", "warn", "error"};
  for (int i = 0; i < 4; i++)
    if (strcasecmp(env, names[i]) == 0) log_min_level = (sp_log_level)i;
}

void sp_log(sp_log_level level, const char *fmt, ...) {
  if (level < log_min_level) return;
  static const char *tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
  char line[2048];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ %s[%d] %s ",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                   tm.tm_sec, ts.tv_nsec / 1000, log_program, (int)getpid(), tags[level]);
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
  if (len > sizeof line - 2) len = sizeof line - 2; /* truncated: keep the newline */
  line[len++] = '\n';
  ssize_t w = write(STDERR_FILENO, line, len);
  (void)w; /* nowhere to report a failed log write */
}

void sp_assert_fail(const char *expr, const char *file, int line) {
  char msg[1024];
  int n = snprintf(msg, sizeof msg, "%s:%d: assertion failed: %s\n", file, line, expr);
  ssize_t w = write(STDERR_FILENO, msg, n > 0 ? (size_t)n : 0);
  (void)w;
  abort();
}
