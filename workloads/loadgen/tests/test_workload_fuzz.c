/* test_workload_fuzz: mangled workload files and --set values never crash
 * the loader (run under ASan/UBSan): each either loads or fails with a
 * message that names the file. Mutations are drawn from a fixed seed. */
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "wl_test_util.h"

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = malloc(1 << 16);
  *len = fread(buf, 1, (1 << 16) - 1, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

/* One random edit: flip a byte, delete a run, duplicate a line's worth, or
 * insert one of the characters that matter to YAML. */
static size_t mutate(char *buf, size_t len, size_t cap, rng *r) {
  static const char special[] = ":-[]{},#&*!|>'\"%@` \n\t0123456789.e_~";
  size_t pos = len ? rng_below(r, (uint32_t)len) : 0;
  switch (rng_below(r, 4)) {
  case 0:
    if (len) buf[pos] = (char)(rng_next(r) & 0x7f);
    break;
  case 1: {
    size_t n = rng_below(r, 16);
    if (pos + n > len) n = len - pos;
    memmove(buf + pos, buf + pos + n, len - pos - n);
    len -= n;
    break;
  }
  case 2: {
    size_t n = rng_below(r, 40);
    if (pos + n > len) n = len - pos;
    if (len + n < cap) {
      memmove(buf + pos + n, buf + pos, len - pos);
      len += n;
    }
    break;
  }
  default:
    if (len + 1 < cap) {
      memmove(buf + pos + 1, buf + pos, len - pos);
      buf[pos] = special[rng_below(r, sizeof special - 1)];
      len++;
    }
  }
  buf[len] = '\0';
  return len;
}

TEST(mangled_files) {
  const char *fixtures[] = {"tests/data/ext-every-field.yaml", "tests/data/omb-every-field.yaml", "../bursts.yaml"};
  rng r;
  rng_seed(&r, 2024);
  int loaded = 0, failed = 0;
  for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
    size_t len0;
    char *orig = read_all(fixtures[f], &len0);
    REQUIRE(orig != NULL);
    char *buf = malloc(len0 + 4096);
    for (int i = 0; i < 400; i++) {
      memcpy(buf, orig, len0 + 1);
      size_t len = len0;
      int edits = 1 + (int)rng_below(&r, 4);
      for (int e = 0; e < edits; e++) len = mutate(buf, len, len0 + 4096, &r);
      workload w;
      char err[1024];
      /* parsed in the fixture's directory, so relative paths still resolve */
      char display[256];
      snprintf(display, sizeof display, "%s", fixtures[f]);
      int rc = workload_parse(buf, len, display, &w, err, sizeof err);
      if (rc == 0) {
        loaded++;
        json_t *j = workload_to_json(&w);
        CHECK(j != NULL);
        json_decref(j);
      } else {
        failed++;
        CHECK(strstr(err, fixtures[f]) == err); /* the message starts with the file */
      }
      workload_free(&w);
    }
    free(buf);
    free(orig);
  }
  CHECK(loaded > 0 && failed > 0); /* the mutations hit both ways */
}

TEST(mangled_sets) {
  static const char *const keys[] = {"topics", "broker.fsync", "rate_profile", "rate_profile.steps", "message_size",
                                     "librdkafka.producer.linger.ms", "subscriptions", "event_time.clock_skew_ms",
                                     "producer", "x.y.z", "", "seed"};
  static const char *const values[] = {"", "~", "[", "{a: [1, {b: }]}", "-1", "1e400", "nan", "[{at_s: 1, rate: 1}]",
                                       "{distribution: normal}", "'\\x00'", "&a [*a]", "0x10", "--- a\n--- b",
                                       "\"unterminated", "!!binary aGVsbG8="};
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  json_t *before = workload_to_json(&w);
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
      char a[256], err[1024];
      snprintf(a, sizeof a, "%s=%s", keys[k], values[v]);
      if (workload_set(&w, a, err, sizeof err) != 0) CHECK(err[0] != '\0');
      /* restore */
      workload_free(&w);
      REQUIRE_LOAD(MIN_YAML, &w);
    }
  json_t *after = workload_to_json(&w);
  CHECK(json_equal(before, after));
  json_decref(before);
  json_decref(after);
  workload_free(&w);
}

SP_TEST_MAIN(mangled_files, mangled_sets)
