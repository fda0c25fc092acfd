/* run_check.h: the checker at the end of a run, behind a header that does
 * not pull harness/check/anomaly.h into files that include workload.h
 * (both declare SEM_* enumerators and semantics_name). */
#ifndef SP_RUN_CHECK_H
#define SP_RUN_CHECK_H

#include <stddef.h>

/* Runs `streamproof check` on dir. Returns the checker's code (0 valid,
 * 1 invalid, 2 unknown, 3 error) and sets *verdict ("valid", ...; static),
 * *text (its printed summary, malloc'd; the caller frees) and err (on 3).
 * Without the checker built in: returns -1, *verdict "not checked". */
int run_check(const char *dir, const char **verdict, char **text, char *err, size_t err_len);

/* The checker's verdict.json text for dir with up to `examples` examples
 * per anomaly type, computed again without writing anything (the run's
 * verdict.json keeps the default). malloc'd; NULL when the checker is not
 * built in or fails. */
char *run_check_json(const char *dir, int examples);

/* `streamproof check ...` (argv[0] = "check"); exit 3 with a message when
 * the checker is not built in. */
int run_check_main(int argc, char **argv);

#endif
