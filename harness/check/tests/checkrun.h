/* checkrun.h: test helpers around check_run: write a generated run, check
 * it quietly, read verdict.json back, compare counts type by type. */
#ifndef SP_CHECK_CHECKRUN_H
#define SP_CHECK_CHECKRUN_H

#include <jansson.h>
#include <stdint.h>

#include "check.h"
#include "gen.h"

/* Writes g to <base>/<name>, runs check_run (summary to /dev/null) and
 * returns its exit code; the result is in *r (check_result_free it). The
 * folder's path is left in dir (at least 512 bytes). */
int checkrun(gen *g, const char *base, const char *name, check_result *r, char *dir);
/* Runs check_run on an existing folder, quietly. */
int checkrun_dir(const char *dir, check_result *r);
/* <dir>/verdict.json, parsed (json_decref it), or NULL. */
json_t *checkrun_verdict(const char *dir);
/* verdict.json anomalies.<type>.examples[i], or NULL. */
json_t *checkrun_example(json_t *verdict, anomaly_type t, size_t i);
/* Integer member of an example (-1 when absent). */
int64_t checkrun_int(json_t *obj, const char *key);
/* Counts that differ from want[] are printed; returns how many differ. */
int checkrun_diff(const check_result *r, const uint64_t want[ANOM_COUNT]);

#endif
