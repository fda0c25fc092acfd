/* preload.h: running an unmodified binary under libfiu's POSIX preload
 * (what `fiu-run -x` does), so disk faults (EIO/ENOSPC on write, fsync,
 * fdatasync, short writes) can be armed in it at run time.
 *
 * sp_fiu_preload_env() returns the "KEY=VALUE" entries to add to the
 * child's environment (sp_proc_spec.env_add):
 *   LD_PRELOAD=[ASan runtime ]/usr/lib/fiu/fiu_run_preload.so /usr/lib/fiu/fiu_posix_preload.so
 *   FIU_CTRL_FIFO=PREFIX      the preload opens PREFIX-PID.in/.out (fiu_remote.h)
 *   FIU_ENABLE=...            points armed before main() (newline-separated commands)
 *   SP_FIU_CTRL=              empty: refbroker must not open a second control
 *                             thread on the same FIFO; the preload's serves its
 *                             own points too (libfiu is one shared library)
 *   LSAN_OPTIONS=suppressions=PREFIX.lsan-supp:...   ASan builds only
 *
 * ASan builds (checked on these machines, Debian gcc 12, libfiu 1.1):
 *   - with the preloads first, ASan refuses to start ("ASan runtime does not
 *     come first in initial library list");
 *   - ASAN_OPTIONS=verify_asan_link_order=0 silences that, but the POSIX
 *     preload's malloc wrappers then crash the process (SIGSEGV at start);
 *   - what works: the target's own ASan runtime (found in its DT_NEEDED) goes
 *     first in LD_PRELOAD, then the two fiu preloads. LeakSanitizer then
 *     reports a 47-byte leak inside fiu_run_preload.so (an strdup fixed
 *     upstream after 1.1), suppressed by a file written next to PREFIX.
 * The caller's own LSAN_OPTIONS (from the environment) are kept after ours. */
#ifndef SP_FAULTS_PRELOAD_H
#define SP_FAULTS_PRELOAD_H

#include <stddef.h>

#define SP_FIU_PRELOAD_DIR "/usr/lib/fiu"

/* Fills env (up to 6 entries + NULL, each malloc'd; free with
 * sp_fiu_preload_env_free) for running `binary` under the preload with
 * control prefix `prefix`; `enable` is NULL or newline-separated libfiu
 * commands armed before main. 0, or -1 with the reason in err (the preload
 * is not installed, the binary cannot be read, the suppression file cannot
 * be written). */
int sp_fiu_preload_env(const char *binary, const char *prefix, const char *enable, char *env[7],
                       char *err, size_t err_cap);
void sp_fiu_preload_env_free(char *env[7]);

/* The DT_NEEDED entry of an ELF binary that starts with `soname_prefix`
 * (e.g. "libasan.so") into out. 1 found, 0 not found, -1 not a readable
 * 64-bit ELF file. Resolves argv[0]-style names through PATH. */
int sp_elf_needs(const char *binary, const char *soname_prefix, char *out, size_t cap);

#endif
