/* io_fault.h: failing the Nth file write or sync of the storage engine, for
 * SQLite-style I/O error loops (test-only).
 *
 * Tests that link io_fault.c are built with
 *   -Wl,--wrap=pwrite,--wrap=write,--wrap=fdatasync,--wrap=fsync,--wrap=ftruncate
 * so every call the storage library makes goes through a countdown first
 * (writes to stdout/stderr are never touched). Armed with io_fault_arm(n,
 * mode), the n-th counted call (1-based) and, in IO_PERSISTENT mode, every
 * one after it fails with EIO; IO_SHORT makes the n-th pwrite write half its
 * bytes and return the short count (legal, and must be handled); IO_CRASH
 * writes half of the n-th pwrite (or nothing, for other calls) and then
 * kills the process with SIGKILL, a crash at that exact call.
 *
 * With io_fault_track_power(), the layer also records what an fsync made
 * durable (each file's size at its last fsync, each directory's entries at
 * its last fsync) in a region shared with the parent process, so that after
 * a crashed child the parent can apply io_fault_power_loss(): the state a
 * power cut would leave (unsynced file tails cut to a seeded random prefix,
 * files created since their directory's last fsync removed). */
#ifndef SP_IO_FAULT_H
#define SP_IO_FAULT_H

#include <stdint.h>

typedef enum { IO_TRANSIENT, IO_PERSISTENT, IO_SHORT, IO_CRASH } io_fault_mode;

/* Arms the countdown (n >= 1) or disarms it (n == 0) and resets the count. */
void io_fault_arm(int64_t n, io_fault_mode mode);
/* Calls counted since the last arm. */
int64_t io_fault_count(void);
/* True once the armed call was reached. */
int io_fault_fired(void);

/* Starts recording durability under dir (shared memory; call before fork). */
void io_fault_track_power(const char *dir);
/* Applies a simulated power cut to the recorded files (seeded fates). */
void io_fault_power_loss(uint64_t seed);
void io_fault_track_stop(void);

#endif
