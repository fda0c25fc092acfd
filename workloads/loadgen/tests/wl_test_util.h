/* wl_test_util.h: helpers shared by the workload tests: write a YAML text
 * to x.yaml in the test's scratch directory and load it, and check that a
 * load fails with an error naming the expected place and key. */
#ifndef WL_TEST_UTIL_H
#define WL_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_test.h"
#include "workload.h"

/* A minimal valid workload: five lines; tests append to it from line 6. */
#define MIN_YAML "topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n"

/* Writes text to <tmpdir>/name. Returns the path (static buffer). */
static inline const char *write_file(const char *name, const char *text) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", sp_test_tmpdir(), name);
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    abort();
  }
  fputs(text, f);
  fclose(f);
  return path;
}

/* Loads text as <tmpdir>/x.yaml. */
static inline int load_text(const char *text, workload *w, char *err, size_t err_len) {
  return workload_load(write_file("x.yaml", text), w, err, err_len);
}

/* The load must fail (WL_TEST_VERBOSE=1 prints every message, for review) with an error containing `where` (e.g. "x.yaml:6:1:")
 * and `what` (the key, the reason). */
#define EXPECT_LOAD_ERROR(text, where, what)                                                \
  do {                                                                                      \
    char e_[2048];                                                                          \
    workload w_;                                                                            \
    int rc_ = load_text((text), &w_, e_, sizeof e_);                                        \
    CHECK(rc_ != 0);                                                                        \
    if (getenv("WL_TEST_VERBOSE")) fprintf(stderr, "# %s\n", e_);                          \
    if (!strstr(e_, (where)) || !strstr(e_, (what))) {                                      \
      sp_test_report(__FILE__, __LINE__, "error message");                                  \
      fprintf(stderr, "#   got:  %s\n#   want: '%s' and '%s'\n", e_, (where), (what));      \
    }                                                                                       \
    workload_free(&w_);                                                                     \
  } while (0)

/* The load must succeed; prints the error otherwise. */
#define REQUIRE_LOAD(text, w)                                                               \
  do {                                                                                      \
    char e_[2048];                                                                          \
    int rc_ = load_text((text), (w), e_, sizeof e_);                                        \
    if (rc_) fprintf(stderr, "#   load failed: %s\n", e_);                                  \
    REQUIRE(rc_ == 0);                                                                      \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                               \
  do {                                                                                      \
    double a_ = (a), b_ = (b);                                                              \
    if (!(a_ >= b_ - (tol) && a_ <= b_ + (tol))) {                                          \
      sp_test_report(__FILE__, __LINE__, #a " ~= " #b);                                     \
      fprintf(stderr, "#   left: %.17g  right: %.17g  tolerance: %g\n", a_, b_, (double)(tol)); \
    }                                                                                       \
  } while (0)

#endif
