/* test_run_options: the command line of `streamproof run` (a contract):
 * every flag in both spellings, repetition order kept, and each mistake
 * named. */
#include <string.h>

#include "run_options.h"
#include "sp_test.h"

static run_opts_result parse(run_options *o, char *err, int argc, char **argv) {
  return run_options_parse(argc, argv, o, err, 256);
}

TEST(all_flags) {
  char *argv[] = {"run", "w.yaml", "--faults", "f.yaml", "--out=o", "--bootstrap", "h:1",
                  "--set", "a=1", "--set=b.c=2", "-X", "linger.ms=5", "-Xacks=all",
                  "--refbroker", "/bin/rb", "--no-check", "--quiet", "--progress-interval", "2"};
  run_options o;
  char err[256];
  REQUIRE(parse(&o, err, 19, argv) == RUN_OPTS_RUN);
  CHECK_EQ_STR(o.workload, "w.yaml");
  CHECK_EQ_STR(o.faults, "f.yaml");
  CHECK_EQ_STR(o.out, "o");
  CHECK_EQ_STR(o.bootstrap, "h:1");
  REQUIRE(o.n_sets == 2);
  CHECK_EQ_STR(o.sets[0], "a=1");
  CHECK_EQ_STR(o.sets[1], "b.c=2");
  REQUIRE(o.n_props == 2);
  CHECK_EQ_STR(o.props[0], "linger.ms=5");
  CHECK_EQ_STR(o.props[1], "acks=all");
  CHECK_EQ_STR(o.refbroker, "/bin/rb");
  CHECK(o.no_check && o.quiet);
  CHECK_EQ_INT(o.progress_s, 2);
  run_options_free(&o);
}

TEST(help) {
  char *argv[] = {"run", "--help"};
  run_options o;
  char err[256];
  CHECK(parse(&o, err, 2, argv) == RUN_OPTS_HELP);
  run_options_free(&o);
}

TEST(mistakes_named) {
  static const struct {
    int argc;
    char *argv[4];
    const char *says;
  } cases[] = {
      {1, {"run"}, "no workload"},
      {3, {"run", "a.yaml", "b.yaml"}, "b.yaml"},
      {3, {"run", "a.yaml", "--bogus"}, "--bogus"},
      {3, {"run", "a.yaml", "--faults"}, "--faults needs a value"},
      {4, {"run", "a.yaml", "--bootstrap", "nohost"}, "HOST:PORT"},
      {4, {"run", "a.yaml", "--set", "novalue"}, "KEY=VALUE"},
      {4, {"run", "a.yaml", "-X", "=x"}, "PROPERTY=VALUE"},
      {4, {"run", "a.yaml", "--progress-interval", "0"}, "--progress-interval"},
      {3, {"run", "a.yaml", "--out="}, "empty"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    run_options o;
    char err[256] = "";
    CHECK(parse(&o, err, cases[i].argc, (char **)cases[i].argv) == RUN_OPTS_ERROR);
    if (!strstr(err, cases[i].says)) fprintf(stderr, "# case %zu: '%s'\n", i, err);
    CHECK(strstr(err, cases[i].says) != NULL);
    run_options_free(&o);
  }
}

SP_TEST_MAIN(all_flags, help, mistakes_named)
