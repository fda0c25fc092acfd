/* points.h: the fault-point names a schedule may arm, and where each lives.
 *
 * Three registries are known here:
 *   - refbroker's own points (reference/broker/fault_points.h),
 *   - refstream's own points (reference/stream/fault_points.h, picked up
 *     automatically once that header exists and defines
 *     REFSTREAM_FAULT_POINTS(X) like the broker's),
 *   - the libfiu POSIX preload's wrapper points (posix/..., libc/...,
 *     linux/...), which exist in any program started under the preload
 *     (see fiu_remote.h, sp_fiu_preload_env).
 * The schedule parser uses this to reject a misspelt point name at load
 * time instead of arming nothing at run time (libfiu happily "enables" a
 * name no code ever evaluates). */
#ifndef SP_FAULTS_POINTS_H
#define SP_FAULTS_POINTS_H

#include <stddef.h>

typedef enum {
  SP_POINTS_REFBROKER, /* refbroker/... */
  SP_POINTS_REFSTREAM, /* refstream/... */
  SP_POINTS_POSIX,     /* the POSIX preload: posix/..., libc/..., linux/... */
} sp_points_registry;

typedef struct sp_point {
  const char *name;
  const char *where; /* what the code is doing there (empty for POSIX points) */
} sp_point;

/* The points of one registry (a static table) and their count. */
const sp_point *sp_points(sp_points_registry reg, size_t *count);

/* Which registry a name belongs to by its first component, or -1 if none
 * ("refbroker/log/x" -> REFBROKER even if x is unknown). */
int sp_points_registry_of(const char *name);

/* 1 if `name` is a point of `reg`, or a wildcard such as refbroker/log/STAR (a trailing '*') that
 * matches at least one point of `reg`; 0 otherwise. libfiu only supports a
 * trailing '*'. */
int sp_points_known(sp_points_registry reg, const char *name);

#endif
