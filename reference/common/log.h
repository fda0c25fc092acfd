/* log.h: one line per notable event, on stderr.
 *
 * Line format (one write(2) per line, so lines from several processes that
 * share a log file never interleave mid-line):
 *
 *   2026-11-21T23:25:01.123456Z refbroker[4242] INFO  recovered partition t-0: ...
 *
 * Tests and the harness grep these lines, so keep messages stable. */
#ifndef SP_LOG_H
#define SP_LOG_H

typedef enum { SP_LOG_DEBUG = 0, SP_LOG_INFO, SP_LOG_WARN, SP_LOG_ERROR } sp_log_level;

/* Sets the program name shown on every line and the lowest level printed.
 * SP_LOG_LEVEL=debug|info|warn|error in the environment overrides it. */
void sp_log_init(const char *program, sp_log_level min_level);

void sp_log(sp_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define sp_debug(...) sp_log(SP_LOG_DEBUG, __VA_ARGS__)
#define sp_info(...) sp_log(SP_LOG_INFO, __VA_ARGS__)
#define sp_warn(...) sp_log(SP_LOG_WARN, __VA_ARGS__)
#define sp_error(...) sp_log(SP_LOG_ERROR, __VA_ARGS__)

#endif
