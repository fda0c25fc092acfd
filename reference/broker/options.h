/* options.h: refbroker's command line (a contract: the harness and outside
 * checks depend on it; keep it stable and in sync with --help and README). */
#ifndef REFBROKER_OPTIONS_H
#define REFBROKER_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "storage/store.h"

typedef struct broker_options {
  char listen_host[256];
  int listen_port; /* 0: pick a free port */
  char advertise_host[256]; /* empty: the listen address */
  int advertise_port;       /* 0: the bound port */
  const char *data_dir;
  store_fsync_policy fsync_policy;
  int64_t fsync_interval_ms;
  int32_t default_partitions;
  int64_t segment_bytes;
  int64_t retention_bytes;
  int64_t retention_ms;
  int64_t retention_check_ms;
  int32_t max_request_bytes;
  int32_t message_max_bytes;
  int auto_create_topics;
  int32_t node_id;
  int64_t group_initial_rebalance_delay_ms;
  int64_t idle_timeout_ms;
} broker_options;

typedef enum { OPTS_RUN, OPTS_EXIT_OK, OPTS_EXIT_USAGE } options_result;

/* Parses argv into o (defaults first). Prints --help / --list-fault-points
 * to out and returns OPTS_EXIT_OK for them; on a bad flag prints an error
 * naming the flag to err and returns OPTS_EXIT_USAGE (exit status 2). */
options_result options_parse(int argc, char **argv, broker_options *o, FILE *out, FILE *err);

/* Prints the usage text. */
void options_usage(FILE *out);

#endif
