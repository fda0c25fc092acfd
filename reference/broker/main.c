/* main.c: refbroker's entry point: parse the command line, run the server
 * until SIGTERM/SIGINT, shut down cleanly (exit 0). */
#include <stdio.h>

#include "fault.h"
#include "log.h"
#include "options.h"
#include "server.h"

int main(int argc, char **argv) {
  broker_options opts;
  switch (options_parse(argc, argv, &opts, stdout, stderr)) {
  case OPTS_EXIT_OK: return 0;
  case OPTS_EXIT_USAGE: return 2;
  case OPTS_RUN: break;
  }
  sp_log_init("refbroker", SP_LOG_INFO);
  (void)sp_fault_init();
  sp_info("starting: data dir %s, fsync %s, default partitions %d, segment bytes %lld, "
          "retention bytes %lld, retention ms %lld",
          opts.data_dir,
          opts.fsync_policy == STORE_FSYNC_ALWAYS ? "always"
          : opts.fsync_policy == STORE_FSYNC_NEVER ? "never" : "interval",
          opts.default_partitions, (long long)opts.segment_bytes, (long long)opts.retention_bytes,
          (long long)opts.retention_ms);
  server *srv = server_create(&opts);
  if (!srv) return 1;
  int rc = server_run(srv);
  server_free(srv);
  sp_info("stopped");
  return rc == 0 ? 0 : 1;
}
