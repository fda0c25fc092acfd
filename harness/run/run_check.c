/* run_check.c: see run_check.h. */
#include "run_check.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef SP_HAVE_CHECK
#include "check.h"

int run_check(const char *dir, const char **verdict, char **text, char *err, size_t err_len) {
  size_t len = 0;
  *text = NULL;
  FILE *mem = open_memstream(text, &len);
  check_options o;
  check_options_init(&o);
  o.out = mem;
  check_result r;
  int code = check_run(dir, &o, &r);
  fclose(mem);
  *verdict = check_verdict_name(r.verdict);
  if (code == CHECK_ERROR) snprintf(err, err_len, "%s", r.error);
  check_result_free(&r);
  return code;
}

char *run_check_json(const char *dir, int examples) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) return NULL;
  check_options o;
  check_options_init(&o);
  o.out = mem;
  o.json = 1;
  o.no_write = 1;
  o.quiet = 1;
  o.examples = examples;
  check_result r;
  int code = check_run(dir, &o, &r);
  fclose(mem);
  check_result_free(&r);
  if (code == CHECK_ERROR) {
    free(text);
    return NULL;
  }
  return text;
}

int run_check_main(int argc, char **argv) { return check_main(argc, argv); }
#else
char *run_check_json(const char *dir, int examples) {
  (void)dir;
  (void)examples;
  return NULL;
}

int run_check(const char *dir, const char **verdict, char **text, char *err, size_t err_len) {
  (void)dir;
  (void)err;
  (void)err_len;
  *verdict = "not checked";
  *text = NULL;
  return -1;
}

int run_check_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "streamproof: 'check' is not built into this binary\n");
  return 3;
}
#endif
