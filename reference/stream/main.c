/* main.c: the refstream command line. README.md ("Running") documents it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "fault_points.h"
#include "job.h"
#include "log.h"
#include "mem.h"
#include "runner.h"

/* The --help text. */
static void usage(FILE *f) {
  fprintf(f,
          "usage: refstream --job JOB.yaml --bootstrap HOST:PORT --state-dir DIR [options]\n"
          "\n"
          "Runs a stream job (README.md: job file, semantics, output format) over a\n"
          "Kafka-protocol broker with exactly-once results: every result has a\n"
          "deterministic id, state and input offsets are checkpointed atomically,\n"
          "and after a crash the output written since the checkpoint is read back\n"
          "and not written again.\n"
          "\n"
          "options:\n"
          "  --job FILE                 the job (YAML)\n"
          "  --bootstrap HOST:PORT      the broker(s), as librdkafka bootstrap.servers\n"
          "  --state-dir DIR            checkpoints live here (created if missing)\n"
          "  --checkpoint-interval-ms N time between checkpoints (default 1000)\n"
          "  -X name=value              librdkafka property for both clients;\n"
          "                             consumer.name=value / producer.name=value for one\n"
          "  --wait-topics-ms N         how long to wait for input topics (default 30000)\n"
          "  --stop-at-end              process the inputs up to their end at start, write\n"
          "                             a final checkpoint and exit (tests, benchmarks)\n"
          "  --no-commit                do not commit input offsets to the consumer group\n"
          "  --stats-interval-ms N      one stats line every N ms (default 10000, 0: off)\n"
          "  --check-job                validate the job file, print a summary, exit\n"
          "  --list-fault-points        print the libfiu fault points and exit\n"
          "  --help                     this text\n"
          "\n"
          "exit status: 0 stopped cleanly, 1 runtime failure (restart to recover),\n"
          "2 bad command line, job or configuration.\n");
}

/* Prints the fault-point registry (--list-fault-points): one "name TAB
 * meaning" line per point, the same form as refbroker's, for tools. */
static void list_fault_points(void) {
#define RS_PRINT_POINT(name, where) printf("%s\t%s\n", name, where);
  REFSTREAM_FAULT_POINTS(RS_PRINT_POINT)
#undef RS_PRINT_POINT
}

volatile int rs_stop_requested;

/* SIGTERM/SIGINT: stop after a final checkpoint. */
static void on_signal(int sig) {
  (void)sig;
  rs_stop_requested = 1;
}

/* A non-negative integer option value; -1 with a message. */
static int parse_ms(const char *opt, const char *v, int64_t *out) {
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if (errno || *end || n < 0) {
    fprintf(stderr, "refstream: %s: expected a non-negative integer, got '%s'\n", opt, v);
    return -1;
  }
  *out = n;
  return 0;
}

/* Validates a job file and prints a summary (--check-job). */
static int check_job(const char *path) {
  char err[1024];
  rs_job *j = rs_job_load(path, err, sizeof err);
  if (!j) {
    fprintf(stderr, "refstream: %s\n", err);
    return 2;
  }
  printf("job %s: %d source(s), %d operator(s), %s time, output %s\n", j->name, j->n_sources,
         j->n_ops, j->time_mode == RS_TIME_EVENT ? "event" : "processing", j->sink_output);
  for (int i = 0; i < j->n_ops; i++) printf("  pipeline[%d] %s\n", i, rs_op_kind_name(j->ops[i].kind));
  rs_job_free(j);
  return 0;
}

int main(int argc, char **argv) {
  rs_opts o = {0};
  o.checkpoint_interval_ms = 1000;
  o.wait_topics_ms = 30000;
  o.commit_offsets = 1;
  o.stats_interval_ms = 10000;
  const char **props = sp_calloc((size_t)argc, sizeof *props);
  int check_only = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    int takes = !strcmp(a, "--job") || !strcmp(a, "--bootstrap") || !strcmp(a, "--state-dir") ||
                !strcmp(a, "--checkpoint-interval-ms") || !strcmp(a, "-X") ||
                !strcmp(a, "--wait-topics-ms") || !strcmp(a, "--stats-interval-ms");
    if (takes && !v) {
      fprintf(stderr, "refstream: %s needs a value\n", a);
      goto bad;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      free(props);
      return 0;
    } else if (!strcmp(a, "--list-fault-points")) {
      list_fault_points();
      free(props);
      return 0;
    } else if (!strcmp(a, "--job")) {
      o.job_path = v;
    } else if (!strcmp(a, "--bootstrap")) {
      o.kafka.bootstrap = v;
    } else if (!strcmp(a, "--state-dir")) {
      o.state_dir = v;
    } else if (!strcmp(a, "--checkpoint-interval-ms")) {
      if (parse_ms(a, v, &o.checkpoint_interval_ms) != 0) goto bad;
    } else if (!strcmp(a, "--wait-topics-ms")) {
      if (parse_ms(a, v, &o.wait_topics_ms) != 0) goto bad;
    } else if (!strcmp(a, "--stats-interval-ms")) {
      if (parse_ms(a, v, &o.stats_interval_ms) != 0) goto bad;
    } else if (!strcmp(a, "-X")) {
      props[o.kafka.n_props++] = v;
    } else if (!strcmp(a, "--stop-at-end")) {
      o.stop_at_end = 1;
    } else if (!strcmp(a, "--no-commit")) {
      o.commit_offsets = 0;
    } else if (!strcmp(a, "--check-job")) {
      check_only = 1;
    } else {
      fprintf(stderr, "refstream: unknown argument '%s' (see --help)\n", a);
      goto bad;
    }
    if (takes) i++;
  }
  if (check_only) {
    free(props);
    if (!o.job_path) {
      fprintf(stderr, "refstream: --check-job needs --job FILE\n");
      return 2;
    }
    return check_job(o.job_path);
  }
  if (!o.job_path || !o.kafka.bootstrap || !o.state_dir) {
    fprintf(stderr, "refstream: --job, --bootstrap and --state-dir are required (see --help)\n");
    goto bad;
  }
  if (o.checkpoint_interval_ms < 1) {
    fprintf(stderr, "refstream: --checkpoint-interval-ms must be at least 1\n");
    goto bad;
  }
  o.kafka.props = props;
  sp_log_init("refstream", SP_LOG_INFO);
  if (sp_fault_init() != 0) {
    free(props);
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  int rc = rs_run(&o);
  free(props);
  return rc;
bad:
  free(props);
  return 2;
}
