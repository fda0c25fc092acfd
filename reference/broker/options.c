/* options.c: see options.h. */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fault_points.h"

void options_usage(FILE *out) {
  fputs(
      "usage: refbroker --data-dir DIR [options]\n"
      "\n"
      "A durable, partitioned log broker that speaks the Kafka wire protocol.\n"
      "\n"
      "  --listen HOST:PORT        address to listen on (default 127.0.0.1:9092; port 0\n"
      "                            picks a free port); prints 'refbroker listening on\n"
      "                            HOST:PORT' once bound\n"
      "  --data-dir DIR            where partitions and committed offsets live (required)\n"
      "  --advertise HOST:PORT     address given to clients in Metadata/FindCoordinator\n"
      "                            (default: the listen address; required for 0.0.0.0)\n"
      "  --fsync POLICY            always: acknowledge only fsynced data (group commit,\n"
      "                            default); interval:MS: fsync every MS ms; never: leave\n"
      "                            it to the OS\n"
      "  --default-partitions N    partitions of auto-created topics (default 1)\n"
      "  --auto-create-topics B    true|false: create unknown topics on Metadata (default true)\n"
      "  --segment-bytes N         roll a segment past N bytes (default 1G)\n"
      "  --retention-bytes N       per partition, delete oldest segments beyond N bytes\n"
      "                            (default -1: unlimited)\n"
      "  --retention-ms N          delete segments older than N ms (default 604800000 = 7\n"
      "                            days; -1: unlimited)\n"
      "  --retention-check-ms N    how often retention runs (default 1000)\n"
      "  --max-request-bytes N     largest request frame accepted (default 100M)\n"
      "  --message-max-bytes N     largest record batch accepted (default 1048588)\n"
      "  --node-id N               this broker's node id (default 1)\n"
      "  --group-initial-rebalance-delay-ms N\n"
      "                            wait for more members before the first rebalance of an\n"
      "                            empty group (default 3000)\n"
      "  --list-fault-points       print the libfiu fault points (name TAB meaning), exit\n"
      "  --help                    print this text, exit\n"
      "\n"
      "Sizes take an optional k, m or g suffix (powers of 1024). SIGTERM or SIGINT\n"
      "stops the broker cleanly (storage synced, exit status 0).\n",
      out);
}

static void list_fault_points(FILE *out) {
#define FP_PRINT(name, where) fprintf(out, "%s\t%s\n", name, where);
  REFBROKER_FAULT_POINTS(FP_PRINT)
#undef FP_PRINT
}

/* Parses an integer with an optional k/m/g suffix into [min, max]. */
static int parse_int(const char *s, int64_t min, int64_t max, int allow_suffix, int64_t *out) {
  if (!s || !*s) return -1;
  errno = 0;
  char *end;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s) return -1;
  int64_t mult = 1;
  if (allow_suffix && *end) {
    switch (*end) {
    case 'k': case 'K': mult = 1024; break;
    case 'm': case 'M': mult = 1024 * 1024; break;
    case 'g': case 'G': mult = 1024 * 1024 * 1024; break;
    default: return -1;
    }
    end++;
  }
  if (*end) return -1;
  if (mult > 1 && (v > INT64_MAX / mult || v < INT64_MIN / mult)) return -1;
  v *= mult;
  if (v < min || v > max) return -1;
  *out = v;
  return 0;
}

/* Splits "host:port" or "[v6]:port". */
static int parse_hostport(const char *s, char *host, size_t cap, int *port) {
  const char *colon;
  const char *h = s;
  size_t hlen;
  if (*s == '[') {
    const char *close = strchr(s, ']');
    if (!close || close[1] != ':') return -1;
    h = s + 1;
    hlen = (size_t)(close - h);
    colon = close + 1;
  } else {
    colon = strrchr(s, ':');
    if (!colon) return -1;
    hlen = (size_t)(colon - s);
  }
  if (hlen == 0 || hlen >= cap) return -1;
  int64_t p;
  if (parse_int(colon + 1, 0, 65535, 0, &p) != 0) return -1;
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  *port = (int)p;
  return 0;
}

options_result options_parse(int argc, char **argv, broker_options *o, FILE *out, FILE *err) {
  memset(o, 0, sizeof *o);
  snprintf(o->listen_host, sizeof o->listen_host, "127.0.0.1");
  o->listen_port = 9092;
  o->fsync_policy = STORE_FSYNC_ALWAYS;
  o->fsync_interval_ms = 1000;
  o->default_partitions = 1;
  o->segment_bytes = 1024LL * 1024 * 1024;
  o->retention_bytes = -1;
  o->retention_ms = 604800000LL;
  o->retention_check_ms = 1000;
  o->max_request_bytes = 100 * 1024 * 1024;
  o->message_max_bytes = 1048588;
  o->auto_create_topics = 1;
  o->node_id = 1;
  o->group_initial_rebalance_delay_ms = 3000;

  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      options_usage(out);
      return OPTS_EXIT_OK;
    }
    if (strcmp(arg, "--list-fault-points") == 0) {
      list_fault_points(out);
      return OPTS_EXIT_OK;
    }
    if (strncmp(arg, "--", 2) != 0) {
      fprintf(err, "refbroker: unexpected argument '%s' (see --help)\n", arg);
      return OPTS_EXIT_USAGE;
    }
    /* --flag value or --flag=value */
    char flag[64];
    const char *val = NULL;
    const char *eq = strchr(arg, '=');
    size_t flen = eq ? (size_t)(eq - arg) : strlen(arg);
    if (flen >= sizeof flag) flen = sizeof flag - 1;
    memcpy(flag, arg, flen);
    flag[flen] = '\0';
    if (eq) val = eq + 1;
    else if (i + 1 < argc) val = argv[++i];
    if (!val) {
      fprintf(err, "refbroker: %s needs a value (see --help)\n", flag);
      return OPTS_EXIT_USAGE;
    }
    int64_t v = 0;
    int bad = 0;
    const char *expect = NULL;
    if (strcmp(flag, "--listen") == 0) {
      bad = parse_hostport(val, o->listen_host, sizeof o->listen_host, &o->listen_port);
      expect = "HOST:PORT";
    } else if (strcmp(flag, "--advertise") == 0) {
      bad = parse_hostport(val, o->advertise_host, sizeof o->advertise_host, &o->advertise_port) ||
            o->advertise_port == 0;
      expect = "HOST:PORT with a non-zero port";
    } else if (strcmp(flag, "--data-dir") == 0) {
      bad = !*val;
      o->data_dir = val;
      expect = "a directory";
    } else if (strcmp(flag, "--fsync") == 0) {
      expect = "always, never or interval:MS (MS >= 1)";
      if (strcmp(val, "always") == 0) o->fsync_policy = STORE_FSYNC_ALWAYS;
      else if (strcmp(val, "never") == 0) o->fsync_policy = STORE_FSYNC_NEVER;
      else if (strncmp(val, "interval:", 9) == 0 &&
               parse_int(val + 9, 1, 86400000, 0, &o->fsync_interval_ms) == 0)
        o->fsync_policy = STORE_FSYNC_INTERVAL;
      else bad = 1;
    } else if (strcmp(flag, "--default-partitions") == 0) {
      bad = parse_int(val, 1, 100000, 0, &v);
      o->default_partitions = (int32_t)v;
      expect = "an integer 1..100000";
    } else if (strcmp(flag, "--segment-bytes") == 0) {
      bad = parse_int(val, 1024, INT64_MAX / 2, 1, &o->segment_bytes);
      expect = "a size >= 1024";
    } else if (strcmp(flag, "--retention-bytes") == 0) {
      bad = parse_int(val, -1, INT64_MAX / 2, 1, &o->retention_bytes);
      expect = "a size, or -1 for unlimited";
    } else if (strcmp(flag, "--retention-ms") == 0) {
      bad = parse_int(val, -1, INT64_MAX / 2, 0, &o->retention_ms);
      expect = "milliseconds, or -1 for unlimited";
    } else if (strcmp(flag, "--retention-check-ms") == 0) {
      bad = parse_int(val, 1, 86400000, 0, &o->retention_check_ms);
      expect = "milliseconds >= 1";
    } else if (strcmp(flag, "--max-request-bytes") == 0) {
      bad = parse_int(val, 1024, INT32_MAX, 1, &v);
      o->max_request_bytes = (int32_t)v;
      expect = "a size 1k..2g-1";
    } else if (strcmp(flag, "--message-max-bytes") == 0) {
      bad = parse_int(val, 128, INT32_MAX, 1, &v);
      o->message_max_bytes = (int32_t)v;
      expect = "a size >= 128";
    } else if (strcmp(flag, "--auto-create-topics") == 0) {
      expect = "true or false";
      if (strcmp(val, "true") == 0) o->auto_create_topics = 1;
      else if (strcmp(val, "false") == 0) o->auto_create_topics = 0;
      else bad = 1;
    } else if (strcmp(flag, "--node-id") == 0) {
      bad = parse_int(val, 0, INT32_MAX, 0, &v);
      o->node_id = (int32_t)v;
      expect = "an integer >= 0";
    } else if (strcmp(flag, "--group-initial-rebalance-delay-ms") == 0) {
      bad = parse_int(val, 0, 600000, 0, &o->group_initial_rebalance_delay_ms);
      expect = "milliseconds 0..600000";
    } else {
      fprintf(err, "refbroker: unknown flag %s (see --help)\n", flag);
      return OPTS_EXIT_USAGE;
    }
    if (bad) {
      fprintf(err, "refbroker: bad value '%s' for %s: expected %s\n", val, flag, expect);
      return OPTS_EXIT_USAGE;
    }
  }
  if (!o->data_dir) {
    fprintf(err, "refbroker: --data-dir is required (see --help)\n");
    return OPTS_EXIT_USAGE;
  }
  if (!o->advertise_host[0] &&
      (strcmp(o->listen_host, "0.0.0.0") == 0 || strcmp(o->listen_host, "::") == 0)) {
    fprintf(err, "refbroker: --listen %s needs --advertise HOST:PORT (clients cannot connect to "
                 "a wildcard address)\n", o->listen_host);
    return OPTS_EXIT_USAGE;
  }
  return OPTS_RUN;
}
