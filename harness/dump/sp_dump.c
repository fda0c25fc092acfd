/* sp-dump: copy one topic into topic dumps (test-only; the orchestrator
 * calls topic_copy directly and `streamproof` will wire it in).
 *
 *   sp-dump --bootstrap HOST:PORT --topic T --out DIR [--timeout-ms N]
 *           [-X name=value ...]
 *
 * Writes DIR/<T>-<partition>.dump for every partition (DIR is created if
 * missing) and prints one line: partitions, records, bytes, seconds.
 * Exit 0 when every partition was copied completely, 1 otherwise (the
 * message says why), 2 on a bad command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "mem.h"
#include "topic_copy.h"

static const char USAGE[] =
    "usage: sp-dump --bootstrap HOST:PORT --topic T --out DIR [--timeout-ms N] [-X name=value]\n";

int main(int argc, char **argv) {
  sp_log_init("sp-dump", SP_LOG_WARN);
  const char *bootstrap = NULL, *topic = NULL, *out = NULL;
  topic_copy_opts o = {0};
  const char **props = sp_calloc((size_t)argc, sizeof *props);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(USAGE, stdout);
      free(props);
      return 0;
    }
    if (!v) {
      fprintf(stderr, "sp-dump: %s needs a value\n%s", a, USAGE);
      free(props);
      return 2;
    }
    i++;
    if (!strcmp(a, "--bootstrap")) bootstrap = v;
    else if (!strcmp(a, "--topic")) topic = v;
    else if (!strcmp(a, "--out")) out = v;
    else if (!strcmp(a, "-X")) props[o.n_props++] = v;
    else if (!strcmp(a, "--timeout-ms")) {
      char *end;
      long ms = strtol(v, &end, 10);
      if (*end || ms <= 0 || ms > 3600000) {
        fprintf(stderr, "sp-dump: --timeout-ms: '%s' is not 1..3600000\n", v);
        free(props);
        return 2;
      }
      o.timeout_ms = (int)ms;
    } else {
      fprintf(stderr, "sp-dump: unknown argument '%s'\n%s", a, USAGE);
      free(props);
      return 2;
    }
  }
  if (!bootstrap || !topic || !out) {
    fprintf(stderr, "sp-dump: --bootstrap, --topic and --out are required\n%s", USAGE);
    free(props);
    return 2;
  }
  if (mkdir(out, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "sp-dump: %s: %s\n", out, strerror(errno));
    free(props);
    return 1;
  }
  o.props = props;
  topic_copy_stats st;
  char err[2048];
  int rc = topic_copy_ex(bootstrap, topic, out, &o, &st, err, sizeof err);
  free(props);
  printf("%s: %d partition(s), %d complete, %llu records, %llu bytes, %.3f s\n", topic,
         st.partitions, st.complete, (unsigned long long)st.records, (unsigned long long)st.bytes,
         st.seconds);
  if (rc != 0) {
    fprintf(stderr, "sp-dump: %s\n", err);
    return 1;
  }
  return 0;
}
