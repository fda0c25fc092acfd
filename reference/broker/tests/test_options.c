/* test_options.c: the command-line contract: defaults, every flag, and a
 * clear error naming the flag (exit status 2) for bad input. */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "sp_test.h"

static options_result parse(broker_options *o, char *err, size_t cap, int argc, char **argv) {
  FILE *out = fopen("/dev/null", "w");
  FILE *e = fmemopen(err, cap, "w");
  options_result r = options_parse(argc, argv, o, out, e);
  fclose(e);
  fclose(out);
  return r;
}

#define ARGV(...) (char *[]){"refbroker", __VA_ARGS__}
#define ARGC(...) ((int)(sizeof((char *[]){"refbroker", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, err, ...) parse(o, err, sizeof err, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

TEST(defaults) {
  broker_options o;
  char err[256] = "";
  REQUIRE(PARSE(&o, err, "--data-dir", "/tmp/x") == OPTS_RUN);
  CHECK_EQ_STR(o.listen_host, "127.0.0.1");
  CHECK_EQ_INT(o.listen_port, 9092);
  CHECK_EQ_INT(o.fsync_policy, STORE_FSYNC_ALWAYS);
  CHECK_EQ_INT(o.default_partitions, 1);
  CHECK_EQ_INT(o.retention_bytes, -1);
  CHECK_EQ_INT(o.auto_create_topics, 1);
  CHECK_EQ_INT(o.max_request_bytes, 100 * 1024 * 1024);
}

TEST(every_flag) {
  broker_options o;
  char err[256] = "";
  REQUIRE(PARSE(&o, err, "--listen", "127.0.0.1:0", "--data-dir=/d", "--advertise", "broker.local:19092",
                "--fsync", "interval:250", "--default-partitions", "6", "--segment-bytes", "64m",
                "--retention-bytes", "1g", "--retention-ms", "-1", "--max-request-bytes", "2m",
                "--auto-create-topics", "false", "--node-id", "3", "--retention-check-ms", "50",
                "--message-max-bytes", "512k", "--group-initial-rebalance-delay-ms", "0") == OPTS_RUN);
  CHECK_EQ_INT(o.listen_port, 0);
  CHECK_EQ_STR(o.data_dir, "/d");
  CHECK_EQ_STR(o.advertise_host, "broker.local");
  CHECK_EQ_INT(o.advertise_port, 19092);
  CHECK_EQ_INT(o.fsync_policy, STORE_FSYNC_INTERVAL);
  CHECK_EQ_INT(o.fsync_interval_ms, 250);
  CHECK_EQ_INT(o.default_partitions, 6);
  CHECK_EQ_INT(o.segment_bytes, 64 << 20);
  CHECK_EQ_INT(o.retention_bytes, 1LL << 30);
  CHECK_EQ_INT(o.retention_ms, -1);
  CHECK_EQ_INT(o.max_request_bytes, 2 << 20);
  CHECK_EQ_INT(o.auto_create_topics, 0);
  CHECK_EQ_INT(o.node_id, 3);
  CHECK_EQ_INT(o.message_max_bytes, 512 << 10);
  CHECK_EQ_INT(o.group_initial_rebalance_delay_ms, 0);
  REQUIRE(PARSE(&o, err, "--data-dir", "/d", "--fsync", "never", "--listen", "[::1]:9") == OPTS_RUN);
  CHECK_EQ_INT(o.fsync_policy, STORE_FSYNC_NEVER);
  CHECK_EQ_STR(o.listen_host, "::1");
}

/* Each bad input must fail with a message naming the flag. */
TEST(bad_flags_name_the_flag) {
  struct { char *flag, *value; } bad[] = {
      {"--fsync", "sometimes"}, {"--fsync", "interval:0"}, {"--fsync", "interval:x"},
      {"--listen", "nohostport"}, {"--listen", "127.0.0.1:70000"}, {"--default-partitions", "0"},
      {"--segment-bytes", "12q"}, {"--auto-create-topics", "yes"}, {"--node-id", "-2"},
      {"--advertise", "h:0"}, {"--max-request-bytes", "10"}, {"--retention-ms", "abc"},
      {"--bogus", "1"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    broker_options o;
    char err[256] = "";
    options_result r = PARSE(&o, err, "--data-dir", "/d", bad[i].flag, bad[i].value);
    CHECK_EQ_INT(r, OPTS_EXIT_USAGE);
    if (!strstr(err, bad[i].flag)) {
      fprintf(stderr, "# error for %s %s does not name the flag: %s\n", bad[i].flag, bad[i].value, err);
      CHECK(0);
    }
  }
  broker_options o;
  char err[256] = "";
  CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1"), OPTS_EXIT_USAGE);
  CHECK(strstr(err, "--data-dir") != NULL);
  CHECK_EQ_INT(PARSE(&o, err, "--data-dir", "/d", "--listen", "0.0.0.0:9092"), OPTS_EXIT_USAGE);
  CHECK(strstr(err, "--advertise") != NULL);
  CHECK_EQ_INT(PARSE(&o, err, "--data-dir"), OPTS_EXIT_USAGE);
}

TEST(help_and_fault_points_exit_ok) {
  broker_options o;
  char err[64] = "";
  CHECK_EQ_INT(PARSE(&o, err, "--help"), OPTS_EXIT_OK);
  char out[4096] = "";
  FILE *f = fmemopen(out, sizeof out, "w");
  FILE *e = fopen("/dev/null", "w");
  REQUIRE(options_parse(2, (char *[]){"refbroker", "--list-fault-points"}, &o, f, e) == OPTS_EXIT_OK);
  fclose(f);
  fclose(e);
  CHECK(strstr(out, "refbroker/produce/after-append-before-ack\t") != NULL);
  CHECK(strstr(out, "refbroker/net/before-response\t") != NULL);
}

SP_TEST_MAIN(defaults, every_flag, bad_flags_name_the_flag, help_and_fault_points_exit_ok)
