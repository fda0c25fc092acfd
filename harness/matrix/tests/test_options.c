/* test_options.c: the matrix's command line (matrix_options.h) and how a
 * failed run's output is turned into the reason the table shows
 * (matrix_exec.h). */
#include <string.h>

#include "matrix_exec.h"
#include "matrix_options.h"
#include "sp_test.h"

/* Parses a NULL-terminated list of arguments (copied: lists are split in
 * place). */
static mx_opts_result parse(mx_options *o, char *err, size_t cap, const char *const *args) {
  static char store[32][256];
  static char *argv[33];
  int argc = 0;
  argv[argc++] = "matrix";
  for (; *args; args++, argc++) {
    snprintf(store[argc], sizeof store[argc], "%s", *args);
    argv[argc] = store[argc];
  }
  argv[argc] = NULL;
  return mx_options_parse(argc, argv, o, err, cap);
}

#define PARSE(...) parse(&o, err, sizeof err, (const char *const[]){__VA_ARGS__, NULL})

TEST(defaults) {
  mx_options o;
  char err[512];
  const char *none[] = {NULL};
  REQUIRE(parse(&o, err, sizeof err, none) == MX_OPTS_RUN);
  CHECK(o.workload == NULL);
  CHECK_EQ_INT(o.n_sem, 3);
  CHECK_EQ_INT(o.sem[0], 0);
  CHECK_EQ_INT(o.sem[2], 2);
  CHECK_EQ_INT(o.n_faults, 4);
  CHECK_EQ_STR(o.faults[0], "none");
  CHECK_EQ_STR(o.faults[3], "processor-crash");
  CHECK_EQ_INT(o.repeat, 1);
  CHECK(!o.strict && !o.quiet);
  mx_options_free(&o);
}

TEST(every_option) {
  mx_options o;
  char err[512];
  REQUIRE(PARSE("w.yaml", "--out", "m", "--semantics", "exactly_once,at_most_once", "--faults=none,my/s.yaml",
                "--repeat", "3", "--set", "duration_s=6", "--set=warmup_s=1", "-Xsession.timeout.ms=2000",
                "--bootstrap", "h:9092", "--refbroker", "/bin/rb", "--cell-timeout", "120", "--strict",
                "--quiet") == MX_OPTS_RUN);
  CHECK_EQ_STR(o.workload, "w.yaml");
  CHECK_EQ_STR(o.out, "m");
  CHECK_EQ_INT(o.n_sem, 2);
  CHECK_EQ_INT(o.sem[0], 2); /* in the order given */
  CHECK_EQ_INT(o.sem[1], 0);
  CHECK_EQ_INT(o.n_faults, 2);
  CHECK_EQ_STR(o.faults[1], "my/s.yaml");
  CHECK_EQ_INT(o.repeat, 3);
  CHECK_EQ_INT((int)o.n_sets, 2);
  CHECK_EQ_STR(o.sets[1], "warmup_s=1");
  CHECK_EQ_INT((int)o.n_props, 1);
  CHECK_EQ_STR(o.props[0], "session.timeout.ms=2000");
  CHECK_EQ_STR(o.bootstrap, "h:9092");
  CHECK_EQ_STR(o.refbroker, "/bin/rb");
  CHECK(o.cell_timeout_s == 120);
  CHECK(o.strict && o.quiet);
  mx_options_free(&o);
}

/* Expects an error whose message contains `want`. */
static void bad(const char *const *args, const char *want) {
  mx_options o;
  char err[512] = "";
  mx_opts_result r = parse(&o, err, sizeof err, args);
  mx_options_free(&o);
  CHECK_EQ_INT(r, MX_OPTS_ERROR);
  if (!strstr(err, want)) fprintf(stderr, "# error '%s' lacks '%s'\n", err, want);
  CHECK(strstr(err, want) != NULL);
}

#define BAD(want, ...) bad((const char *const[]){__VA_ARGS__, NULL}, want)

TEST(errors) {
  BAD("unknown semantics 'twice'", "--semantics", "at_most_once,twice");
  BAD("'at_most_once' given twice", "--semantics", "at_most_once,at_most_once");
  BAD("empty item", "--faults", "none,,broker-crash");
  BAD("'none' given twice", "--faults", "none,none");
  BAD("--repeat '0'", "--repeat", "0");
  BAD("--repeat '2x'", "--repeat", "2x");
  BAD("--repeat '100'", "--repeat", "100");
  BAD("use --semantics", "--set", "semantics=exactly_once");
  BAD("use --faults", "--set", "faults=x.yaml");
  BAD("expected KEY=VALUE", "--set", "duration_s");
  BAD("expected PROPERTY=VALUE", "-X", "=1");
  BAD("expected HOST:PORT", "--bootstrap", "localhost");
  BAD("--cell-timeout '5'", "--cell-timeout", "5");
  BAD("unknown option '--fault'", "--fault", "none");
  BAD("one workload per matrix", "a.yaml", "b.yaml");
  BAD("--out needs a value", "--out");
  BAD("--semantics: empty value", "--semantics=");
}

TEST(help) {
  mx_options o;
  char err[512];
  CHECK_EQ_INT(PARSE("--repeat", "2", "--help"), MX_OPTS_HELP);
  mx_options_free(&o);
}

TEST(failure_reason_from_the_run_output) {
  char r[256];
  mx_log_reason("streamproof run: w.yaml -> /m/at_least_once/none/run-1\n"
                "2026-11-22T01:54:07Z streamproof[12] WARN something\n"
                "streamproof run: cannot reach the broker at 127.0.0.1:1: Local: Broker transport failure (waited 5.0 s)\n"
                "streamproof run: run failed; partial results in /m/at_least_once/none/run-1\n",
                r, sizeof r);
  CHECK_EQ_STR(r, "cannot reach the broker at 127.0.0.1:1: Local: Broker transport failure (waited 5.0 s)");
  mx_log_reason("streamproof run: invalid fault schedule: p.yaml:2:5: fault 'p': target processor, but this "
                "run has no stream processor\n",
                r, sizeof r);
  CHECK(strncmp(r, "invalid fault schedule: p.yaml:2:5", 34) == 0);
  CHECK(mx_log_says_no_processor("... target processor, but this run has no stream processor\n"));
  CHECK(!mx_log_says_no_processor("cannot reach the broker"));
  /* no error line: the last line the run printed (a sanitizer report, a crash) */
  mx_log_reason("streamproof run: w.yaml -> d\nSUMMARY: AddressSanitizer: heap-use-after-free\n\n", r, sizeof r);
  CHECK_EQ_STR(r, "SUMMARY: AddressSanitizer: heap-use-after-free");
  mx_log_reason("", r, sizeof r);
  CHECK_EQ_STR(r, "");
}

SP_TEST_MAIN(defaults, every_option, errors, help, failure_reason_from_the_run_output)
