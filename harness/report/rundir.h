/* rundir.h: one results folder, as report and compare read it.
 *
 * What a results folder holds is results/README.md's contract; this module
 * loads the two JSON files every reader needs (summary.json, verdict.json)
 * and answers questions about the rest (which files exist, where they are).
 * Missing optional files are not errors: report says what it lacks and
 * carries on. A file that exists but cannot be read is an error that names
 * it (and, for JSON, its line and column). */
#ifndef SP_REPORT_RUNDIR_H
#define SP_REPORT_RUNDIR_H

#include <jansson.h>
#include <stddef.h>

#include "notes.h"

typedef struct rundir {
  char *path;       /* as given, without trailing slashes */
  char *name;       /* label for legends and tables: the folder's name */
  json_t *summary;  /* summary.json; NULL when the file is absent */
  json_t *verdict;  /* verdict.json; NULL when the file is absent */
  notes notes;      /* what is missing or odd, in words */
} rundir;

/* Opens the results folder at path. need_summary: a missing summary.json is
 * an error (compare needs it; report does not). 0, or -1 with a message
 * naming the folder or file in err (rd is then empty). */
int rundir_open(const char *path, int need_summary, rundir *rd, char *err, size_t err_cap);
void rundir_close(rundir *rd);

/* Gives runs that share a folder name distinct labels ("a/run", "b/run"),
 * so legends and tables tell them apart. */
void rundir_unique_labels(rundir *runs, size_t n);

/* "<path>/<name>" into buf. */
void rundir_file(const rundir *rd, const char *name, char *buf, size_t cap);
/* 1 when "<path>/<name>" exists as a regular file. */
int rundir_has(const rundir *rd, const char *name);

/* The run's verdict: verdict.json's, else the copy in summary.json
 * ("valid", "invalid", "unknown", "not checked"); NULL when neither says. */
const char *rundir_verdict(const rundir *rd);

/* The value at a dotted path in a JSON tree ("throughput.publish_msgs_per_s");
 * NULL when any step is missing. Keys never contain dots in our files. */
json_t *json_at(json_t *root, const char *path);
/* A number at a dotted path: 0 and *out, or -1 when absent or not a number. */
int json_num_at(json_t *root, const char *path, double *out);
/* A string at a dotted path, or NULL. */
const char *json_str_at(json_t *root, const char *path);

#endif
