/* sp_test.h: the C unit-test harness (header only).
 *
 * A test file defines functions with TEST(name) and ends with
 * SP_TEST_MAIN(name, name, ...). Each test runs in order; a failed CHECK
 * prints "file:line: check failed: expr" (plus both values for the _EQ
 * forms), marks the test failed and continues, so one run shows every
 * broken expectation. REQUIRE stops the current test (for preconditions
 * whose failure would make the rest crash). Output is TAP, exit status 1 if
 * anything failed. `./test_x name` runs a single test.
 *
 * Tests get a fresh scratch directory from sp_test_tmpdir() (removed when
 * the test passes, kept and printed when it fails, for post-mortems). */
#ifndef SP_TEST_H
#define SP_TEST_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void (*sp_test_fn)(void);

static int sp_test_failed_flag;
static jmp_buf sp_test_abort;
static char sp_test_dir[256];

static inline void sp_test_report(const char *file, int line, const char *expr) {
  fprintf(stderr, "# %s:%d: check failed: %s\n", file, line, expr);
  sp_test_failed_flag = 1;
}

#define TEST(name) static void name(void)

#define CHECK(expr) \
  do { if (!(expr)) sp_test_report(__FILE__, __LINE__, #expr); } while (0)

#define REQUIRE(expr) \
  do { if (!(expr)) { sp_test_report(__FILE__, __LINE__, #expr); longjmp(sp_test_abort, 1); } } while (0)

#define CHECK_EQ_INT(a, b) \
  do { int64_t _a = (int64_t)(a), _b = (int64_t)(b); \
       if (_a != _b) { sp_test_report(__FILE__, __LINE__, #a " == " #b); \
         fprintf(stderr, "#   left: %" PRId64 "  right: %" PRId64 "\n", _a, _b); } } while (0)

#define CHECK_EQ_U64(a, b) \
  do { uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b); \
       if (_a != _b) { sp_test_report(__FILE__, __LINE__, #a " == " #b); \
         fprintf(stderr, "#   left: %" PRIu64 " (0x%" PRIx64 ")  right: %" PRIu64 " (0x%" PRIx64 ")\n", _a, _a, _b, _b); } } while (0)

#define CHECK_EQ_STR(a, b) \
  do { const char *_a = (a), *_b = (b); \
       if (!_a || !_b || strcmp(_a, _b) != 0) { sp_test_report(__FILE__, __LINE__, #a " == " #b); \
         fprintf(stderr, "#   left: \"%s\"  right: \"%s\"\n", _a ? _a : "(null)", _b ? _b : "(null)"); } } while (0)

/* A fresh empty directory for the running test. */
static inline const char *sp_test_tmpdir(void) {
  if (!sp_test_dir[0]) {
    const char *base = getenv("TMPDIR");
    snprintf(sp_test_dir, sizeof sp_test_dir, "%s/sp-test-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(sp_test_dir)) {
      perror("mkdtemp");
      abort();
    }
  }
  return sp_test_dir;
}

static inline int sp_test_run(const char *const *names, const sp_test_fn *fns, int n, int argc,
                              char **argv) {
  volatile int failures = 0, planned = 0, k = 0;
  for (int i = 0; i < n; i++)
    if (argc < 2 || strcmp(argv[1], names[i]) == 0) planned++;
  printf("1..%d\n", planned);

  for (int i = 0; i < n; i++) {
    if (argc >= 2 && strcmp(argv[1], names[i]) != 0) continue;
    sp_test_failed_flag = 0;
    sp_test_dir[0] = '\0';
    if (setjmp(sp_test_abort) == 0) fns[i]();
    if (sp_test_dir[0]) {
      if (sp_test_failed_flag) {
        fprintf(stderr, "# scratch directory kept: %s\n", sp_test_dir);
      } else {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", sp_test_dir);
        if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", sp_test_dir);
      }
    }
    printf("%s %d - %s\n", sp_test_failed_flag ? "not ok" : "ok", ++k, names[i]);
    fflush(stdout);
    failures += sp_test_failed_flag;
  }
  if (planned == 0) {
    fprintf(stderr, "no test named %s\n", argc >= 2 ? argv[1] : "?");
    return 2;
  }
  return failures ? 1 : 0;
}

#define SP_TEST_STR_(...) #__VA_ARGS__
#define SP_TEST_MAIN(...)                                                      \
  int main(int argc, char **argv) {                                            \
    static const sp_test_fn fns[] = {__VA_ARGS__};                             \
    static char names_buf[] = SP_TEST_STR_(__VA_ARGS__);                       \
    const char *names[sizeof fns / sizeof fns[0]];                             \
    int n = 0;                                                                 \
    for (char *tok = strtok(names_buf, ", "); tok; tok = strtok(NULL, ", "))   \
      names[n++] = tok;                                                        \
    return sp_test_run(names, fns, n, argc, argv);                             \
  }

#endif
