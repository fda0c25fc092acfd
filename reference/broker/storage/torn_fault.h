/* torn_fault.h: fault points that tear a write in half.
 *
 * sp_fault_point() acts at the instant it is called, but "half of the batch
 * written, then crash" needs the point evaluated *before* the write (to know
 * whether to split it) and acted on *between* the halves. torn_write() does
 * exactly that and nothing more when the point is off, so the normal path
 * stays one pwrite per call:
 *
 *   off      pwrite all bytes
 *   fail     pwrite the first half, then fail with errno = failinfo (EIO)
 *   delay    pwrite the first half, sleep failinfo ms, pwrite the rest
 *   abort    pwrite the first half, then abort() (a crash mid-write)
 *
 * Short writes from the kernel are continued until everything is written or
 * an error occurs. */
#ifndef REFBROKER_TORN_FAULT_H
#define REFBROKER_TORN_FAULT_H

#include <stddef.h>
#include <sys/types.h>

/* Writes len bytes at pos through fault point `point`. Returns 0, or -1 with
 * errno; *written is how many bytes reached the file either way. */
int torn_write(const char *point, int fd, const void *buf, size_t len, off_t pos, size_t *written);

#endif
