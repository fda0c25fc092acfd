/* dumps.h: the topic dumps of a results folder's stream/ directory
 * (harness/history/topic_dump.h): <dir>/<topic>-<partition>.dump. */
#ifndef SP_ORACLE_DUMPS_H
#define SP_ORACLE_DUMPS_H

#include <stddef.h>
#include <stdint.h>

/* "<dir>/<topic>-<partition>.dump" */
void dumps_path(char *buf, size_t len, const char *dir, const char *topic, int32_t partition);

/* The partitions of topic that dir holds dumps of: n when exactly
 * <topic>-0.dump ... <topic>-(n-1).dump exist; *gap is set when a dump
 * beyond a missing one exists (the partition count cannot be trusted).
 * 0 when there is none. */
int32_t dumps_partitions(const char *dir, const char *topic, int *gap);

#endif
