/* matrix_exec.c: see matrix_exec.h. */
#include "matrix_exec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "mem.h"
#include "process.h"

#define LOG_TAIL_BYTES 65536
#define KILL_GRACE_MS 60000
#define RUN_PREFIX "streamproof run: "

/* The argv of the run (pointers into spec and into the strings set_sem and
 * the options own). */
static const char **build_argv(const mx_exec_spec *s, const char *set_sem, size_t *n_out) {
  const mx_options *o = s->o;
  size_t cap = 16 + 2 * (o->n_sets + o->n_props), n = 0;
  const char **argv = sp_calloc(cap, sizeof *argv);
  argv[n++] = s->exe;
  argv[n++] = "run";
  argv[n++] = s->workload;
  argv[n++] = "--out";
  argv[n++] = s->results_dir;
  for (size_t i = 0; i < o->n_sets; i++) {
    argv[n++] = "--set";
    argv[n++] = o->sets[i];
  }
  /* after the user's --set, so the matrix's own choices win */
  argv[n++] = "--set";
  argv[n++] = set_sem;
  if (s->schedule && *s->schedule) {
    argv[n++] = "--faults";
    argv[n++] = s->schedule;
  } else {
    argv[n++] = "--set"; /* no fault: not even the workload's own faults: */
    argv[n++] = "faults=";
  }
  for (size_t i = 0; i < o->n_props; i++) {
    argv[n++] = "-X";
    argv[n++] = o->props[i];
  }
  if (o->bootstrap) {
    argv[n++] = "--bootstrap";
    argv[n++] = o->bootstrap;
  }
  if (o->refbroker) {
    argv[n++] = "--refbroker";
    argv[n++] = o->refbroker;
  }
  argv[n] = NULL;
  *n_out = n;
  return argv;
}

/* The last LOG_TAIL_BYTES of a file as a string (caller frees), or "". */
static char *read_tail(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return sp_strdup("");
  long start = 0;
  if (fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    start = size > LOG_TAIL_BYTES ? size - LOG_TAIL_BYTES : 0;
  }
  fseek(f, start, SEEK_SET);
  char *buf = sp_malloc(LOG_TAIL_BYTES + 1);
  size_t n = fread(buf, 1, LOG_TAIL_BYTES, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* 1 when line (len bytes) is a run error line worth quoting. */
static int is_error_line(const char *line, size_t len) {
  size_t p = strlen(RUN_PREFIX);
  if (len <= p || strncmp(line, RUN_PREFIX, p)) return 0;
  const char *rest = line + p;
  size_t rlen = len - p;
  if (rlen >= 10 && !strncmp(rest, "run failed", 10)) return 0;
  /* the start line "streamproof run: WORKLOAD -> DIR" */
  for (size_t i = 0; i + 4 <= rlen; i++)
    if (!strncmp(rest + i, " -> ", 4)) return 0;
  return 1;
}

void mx_log_reason(const char *text, char *out, size_t cap) {
  const char *best = NULL, *last = NULL;
  size_t best_len = 0, last_len = 0;
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    while (len && (p[len - 1] == '\r' || p[len - 1] == ' ')) len--;
    if (len) {
      last = p;
      last_len = len;
      if (is_error_line(p, len)) {
        best = p;
        best_len = len;
      }
    }
    if (!nl) break;
    p = nl + 1;
  }
  if (best) snprintf(out, cap, "%.*s", (int)(best_len - strlen(RUN_PREFIX)), best + strlen(RUN_PREFIX));
  else if (last) snprintf(out, cap, "%.*s", (int)last_len, last);
  else if (cap) out[0] = '\0';
}

int mx_log_says_no_processor(const char *text) { return strstr(text, "has no stream processor") != NULL; }

/* 1 when the results folder holds summary.json. */
static int has_summary(const char *dir) {
  char path[MX_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/summary.json", dir);
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Waits for the child, stopping it on interruption or timeout. Sets
 * *why to "interrupted" / "timed out" when that ended it. */
static void wait_child(sp_proc *p, const mx_exec_spec *s, volatile sig_atomic_t *interrupted,
                       uint64_t start_ns, const char **why) {
  uint64_t deadline = start_ns + (uint64_t)(s->timeout_s * 1e9);
  while (sp_proc_wait(p, 200) != 0) {
    int stop = 0;
    if (interrupted && *interrupted) {
      *why = "interrupted";
      stop = 1;
    } else if (sp_mono_ns() >= deadline) {
      *why = "timed out";
      stop = 1;
    }
    if (stop) {
      sp_proc_stop(p, KILL_GRACE_MS); /* SIGTERM: the run stops its own processes */
      return;
    }
  }
}

/* Classifies a finished child into r. */
static void classify(const mx_exec_spec *s, sp_proc *p, const char *why, mx_run *r) {
  int st = sp_proc_exit_status(p);
  r->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  char *text = read_tail(s->log_path);
  char said[600];
  mx_log_reason(text, said, sizeof said);
  char how[64];
  sp_proc_describe(p, how, sizeof how);
  if (why) {
    r->state = MX_RUN_FAILED;
    if (!strcmp(why, "timed out"))
      snprintf(r->reason, sizeof r->reason, "timed out after %.0f s (--cell-timeout); stopped, %s", s->timeout_s, how);
    else
      snprintf(r->reason, sizeof r->reason, "interrupted; %s", how);
  } else if (r->exit_code == 3 && mx_log_says_no_processor(text)) {
    r->state = MX_RUN_NA;
    snprintf(r->reason, sizeof r->reason,
             "not available: this workload runs no stream processor to crash (no processor: section; "
             "streamproof run refused the schedule, see the log)");
  } else if ((r->exit_code == 0 || r->exit_code == 1 || r->exit_code == 2 || r->exit_code == 5) &&
             has_summary(s->results_dir)) {
    r->state = MX_RUN_DONE;
    r->reason[0] = '\0';
  } else {
    r->state = MX_RUN_FAILED;
    int completed = r->exit_code == 0 || r->exit_code == 1 || r->exit_code == 2 || r->exit_code == 5;
    if (completed)
      snprintf(r->reason, sizeof r->reason, "exit %d but no summary.json in %s", r->exit_code, s->results_dir);
    else if (r->exit_code < 0 && said[0])
      snprintf(r->reason, sizeof r->reason, "%s; its last line: %s", how, said);
    else
      snprintf(r->reason, sizeof r->reason, "%s", said[0] ? said : how);
  }
  free(text);
}

mx_run_state mx_exec_run(const mx_exec_spec *s, mx_run *r, volatile sig_atomic_t *interrupted) {
  char set_sem[64];
  snprintf(set_sem, sizeof set_sem, "semantics=%s", s->semantics);
  size_t n;
  const char **argv = build_argv(s, set_sem, &n);
  sp_proc_spec ps = {.argv = argv, .log_path = s->log_path, .name = "streamproof run"};
  uint64_t start = sp_mono_ns();
  char err[512];
  sp_proc *p = sp_proc_spawn(&ps, err, sizeof err);
  free(argv);
  if (!p) {
    r->state = MX_RUN_FAILED;
    r->exit_code = -1;
    snprintf(r->reason, sizeof r->reason, "cannot start %s run: %s", s->exe, err);
    return r->state;
  }
  const char *why = NULL;
  wait_child(p, s, interrupted, start, &why);
  r->elapsed_s = (double)(sp_mono_ns() - start) / 1e9;
  classify(s, p, why, r);
  sp_proc_free(p);
  return r->state;
}
