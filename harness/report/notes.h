/* notes.h: a list of one-line messages (what a report found missing or
 * odd: "no faults.jsonl: no fault bands", "e2e.hgrm: no samples", a plot
 * that failed). Collected while reading a results folder and shown in the
 * report, so a partial results folder still gives a report that says what
 * it lacks instead of failing. */
#ifndef SP_REPORT_NOTES_H
#define SP_REPORT_NOTES_H

#include <stddef.h>

typedef struct notes {
  char **v;
  size_t n, cap;
} notes;

/* Appends a printf-formatted line. */
void notes_add(notes *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void notes_free(notes *l);

#endif
