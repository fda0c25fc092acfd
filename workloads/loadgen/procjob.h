/* procjob.h: the stream processor's job file as a workload uses it.
 *
 * A workload's `processor: {job: FILE}` names a refstream job file
 * (reference/stream/README.md "Job file") written for any run: the run's
 * topic names are generated (sp-<slug>-<t>-<nonce>), so the file says where
 * they go with placeholders, which the run replaces before it starts
 * refstream:
 *
 *   ${topic}      the run's topic 0
 *   ${topic:N}    the run's topic N (0 <= N < topics)
 *   ${topics}     every topic of the run, as a YAML flow list [a, b, ...]
 *   ${run}        a prefix unique to the run (sp-<slug>-<nonce>), for sink
 *                 topics: several runs on one external Kafka never share them
 *   $${           a literal "${"
 *
 * Anything else between "${" and "}" (or a "${" never closed) is an error
 * naming file:line:column. Placeholders never span lines, so the job as run
 * keeps the template's line numbers (refstream's own errors still point at
 * the right line).
 *
 * procjob_inspect then reads what the run needs from the expanded job: its
 * name (the consumer group refstream-<name> it commits to), every input
 * topic and every sink topic (for the end-of-run copies the stream oracle
 * recomputes from). It is not a validator: refstream --check-job is. */
#ifndef SP_PROCJOB_H
#define SP_PROCJOB_H

#include <stddef.h>

typedef struct procjob_vars {
  const char *const *topics; /* the run's topic names, in order */
  size_t n_topics;
  const char *run;           /* ${run} */
} procjob_vars;

/* Reads a whole (job) file: malloc'd, NUL-terminated, its length in *len;
 * NULL with errno set when it cannot be read. */
char *procjob_read(const char *path, size_t *len);

/* Expands the placeholders of text (len bytes; file names it in errors).
 * Returns the malloc'd, NUL-terminated result (its length in *out_len when
 * out_len is not NULL), or NULL with "file:line:col: ..." in err. */
char *procjob_expand(const char *text, size_t len, const char *file, const procjob_vars *v,
                     size_t *out_len, char *err, size_t err_len);

/* What the run needs to know of an (expanded) job. */
typedef struct procjob_info {
  char *name;        /* the job's name */
  char **inputs;     /* every topic of every source (main first), no repeats */
  size_t n_inputs;
  char **sinks;      /* output, then late and errors when given */
  size_t n_sinks;
} procjob_info;

/* Reads name, source topics and sink topics from an expanded job. 0, or -1
 * with "file:line:col: ..." in err (not YAML, not a mapping, no name, no
 * sources or no sinks.output). */
int procjob_inspect(const char *text, size_t len, const char *file, procjob_info *out, char *err,
                    size_t err_len);
void procjob_info_free(procjob_info *info);

#endif
