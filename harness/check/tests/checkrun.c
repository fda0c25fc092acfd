/* checkrun.c: see checkrun.h. */
#include "checkrun.h"

#include <inttypes.h>
#include <stdio.h>

int checkrun_dir(const char *dir, check_result *r) {
  check_options o;
  check_options_init(&o);
  o.examples = 10;
  o.out = fopen("/dev/null", "w");
  int rc = check_run(dir, &o, r);
  if (o.out) fclose(o.out);
  return rc;
}

int checkrun(gen *g, const char *base, const char *name, check_result *r, char *dir) {
  snprintf(dir, 512, "%s/%s", base, name);
  if (gen_write(g, dir) != 0) {
    fprintf(stderr, "# gen_write %s failed\n", dir);
    return -1;
  }
  return checkrun_dir(dir, r);
}

json_t *checkrun_verdict(const char *dir) {
  char path[600];
  snprintf(path, sizeof path, "%s/verdict.json", dir);
  json_error_t e;
  json_t *j = json_load_file(path, 0, &e);
  if (!j) fprintf(stderr, "# %s: %s\n", path, e.text);
  return j;
}

json_t *checkrun_example(json_t *verdict, anomaly_type t, size_t i) {
  json_t *a = json_object_get(json_object_get(verdict, "anomalies"), anomaly_name(t));
  return json_array_get(json_object_get(a, "examples"), i);
}

int64_t checkrun_int(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

int checkrun_diff(const check_result *r, const uint64_t want[ANOM_COUNT]) {
  int bad = 0;
  for (int t = 0; t < ANOM_COUNT; t++)
    if (r->count[t] != want[t]) {
      fprintf(stderr, "#   %s: reported %" PRIu64 ", planted %" PRIu64 "\n",
              anomaly_name((anomaly_type)t), r->count[t], want[t]);
      bad++;
    }
  return bad;
}
