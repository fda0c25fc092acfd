/* fault.h: libfiu fault points, compiled in only with -DFIU_ENABLE=ON.
 *
 * Code marks a dangerous moment with a named point from its component's
 * registry (reference/broker/fault_points.h, reference/stream/fault_points.h;
 * names are "component/area/point" and faults/points.md documents each):
 *
 *   if (SP_FAULT(FP_LOG_BEFORE_FSYNC)) { errno = EIO; return -1; }
 *
 * Without FIU_ENABLE the macros come from fiu-local.h and expand to 0, so a
 * release build pays nothing. With it, an armed point can fail (SP_FAULT
 * returns non-zero and sp_fault_errno() gives the errno to simulate), delay
 * (the harness arms "<point>" with failinfo = delay in ms and the code calls
 * sp_fault_delay) or abort the process (sp_fault_point aborts when the point
 * was armed with failnum SP_FAULT_ABORT).
 *
 * sp_fault_init() opens the libfiu remote-control FIFO when the environment
 * names one (SP_FIU_CTRL=/path/prefix -> /path/prefix-PID.in/.out), so the
 * harness can arm points in a running process with fiu-ctrl -f /path/prefix. */
#ifndef SP_FAULT_H
#define SP_FAULT_H

#include "fiu-local.h"

/* failnum values the harness uses when arming a point. */
#define SP_FAULT_FAIL 1  /* return an error; failinfo = errno (default EIO) */
#define SP_FAULT_DELAY 2 /* sleep failinfo milliseconds, then continue */
#define SP_FAULT_ABORT 3 /* abort() right here: a crash at this exact line */

/* Initialises libfiu (and remote control if SP_FIU_CTRL is set).
 * Returns 0, or -1 with a log line if the FIFO could not be created. */
int sp_fault_init(void);

/* Evaluates point `name`: sleeps for a DELAY, aborts for an ABORT, and
 * returns the errno to fail with for a FAIL (0 when the point is off).
 * One call per point keeps call sites to a single line:
 *
 *   int e = sp_fault_point(FP_LOG_BEFORE_FSYNC); if (e) { errno = e; return -1; }
 */
#ifdef FIU_ENABLE
int sp_fault_point(const char *name);
#else
#define sp_fault_point(name) 0
#endif

#endif
