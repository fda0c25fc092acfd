/* preload.c: see preload.h. */
#include "preload.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

/* A name without '/' is looked up in PATH, like execvp does. */
static int resolve(const char *binary, char *out, size_t cap) {
  if (strchr(binary, '/')) return snprintf(out, cap, "%s", binary), 0;
  const char *path = getenv("PATH");
  char *copy = sp_strdup(path ? path : "/usr/bin:/bin");
  int found = -1;
  for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && found; dir = strtok_r(NULL, ":", &save)) {
    snprintf(out, cap, "%s/%s", dir, binary);
    if (access(out, X_OK) == 0) found = 0;
  }
  free(copy);
  return found;
}

static int read_at(FILE *f, long off, void *buf, size_t len) {
  return fseek(f, off, SEEK_SET) == 0 && fread(buf, 1, len, f) == len ? 0 : -1;
}

/* Walks the section headers to the SHT_DYNAMIC section and its string
 * table (sh_link), then compares each DT_NEEDED name. Every offset read
 * from the file is bounds-checked by fread returning short. */
int sp_elf_needs(const char *binary, const char *soname_prefix, char *out, size_t cap) {
  char path[4096];
  if (resolve(binary, path, sizeof path)) return -1;
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  int result = -1;
  Elf64_Ehdr eh;
  if (read_at(f, 0, &eh, sizeof eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr))
    goto done;
  result = 0;
  for (int i = 0; i < eh.e_shnum && result == 0; i++) {
    Elf64_Shdr sh, strsh;
    if (read_at(f, (long)(eh.e_shoff + (Elf64_Off)i * sizeof sh), &sh, sizeof sh)) break;
    if (sh.sh_type != SHT_DYNAMIC || sh.sh_link >= eh.e_shnum) continue;
    if (read_at(f, (long)(eh.e_shoff + (Elf64_Off)sh.sh_link * sizeof strsh), &strsh, sizeof strsh)) break;
    for (Elf64_Xword off = 0; off + sizeof(Elf64_Dyn) <= sh.sh_size; off += sizeof(Elf64_Dyn)) {
      Elf64_Dyn dyn;
      if (read_at(f, (long)(sh.sh_offset + off), &dyn, sizeof dyn) || dyn.d_tag == DT_NULL) break;
      if (dyn.d_tag != DT_NEEDED || dyn.d_un.d_val >= strsh.sh_size) continue;
      char name[256] = "";
      if (fseek(f, (long)(strsh.sh_offset + dyn.d_un.d_val), SEEK_SET) != 0 ||
          !fgets(name, sizeof name, f))
        continue;
      size_t len = strnlen(name, sizeof name);
      if (strncmp(name, soname_prefix, strlen(soname_prefix)) == 0 && len < sizeof name) {
        snprintf(out, cap, "%s", name);
        result = 1;
        break;
      }
    }
  }
done:
  fclose(f);
  return result;
}

static char *kv(const char *key, const char *value) {
  size_t len = strlen(key) + strlen(value) + 2;
  char *s = sp_malloc(len);
  snprintf(s, len, "%s=%s", key, value);
  return s;
}

int sp_fiu_preload_env(const char *binary, const char *prefix, const char *enable, char *env[7],
                       char *err, size_t err_cap) {
  memset(env, 0, sizeof(char *) * 7);
  const char *run_so = SP_FIU_PRELOAD_DIR "/fiu_run_preload.so";
  const char *posix_so = SP_FIU_PRELOAD_DIR "/fiu_posix_preload.so";
  if (access(run_so, R_OK) != 0 || access(posix_so, R_OK) != 0) {
    snprintf(err, err_cap, "libfiu preload not installed (%s): apt-get install libfiu0", posix_so);
    return -1;
  }
  char asan[256] = "";
  int has_asan = sp_elf_needs(binary, "libasan.so", asan, sizeof asan);
  if (has_asan < 0) {
    snprintf(err, err_cap, "%s: not a readable 64-bit ELF executable", binary);
    return -1;
  }
  char preload[1024];
  snprintf(preload, sizeof preload, "%s%s%s %s", has_asan ? asan : "", has_asan ? " " : "", run_so,
           posix_so);
  int n = 0;
  env[n++] = kv("LD_PRELOAD", preload);
  env[n++] = kv("FIU_CTRL_FIFO", prefix);
  env[n++] = kv("SP_FIU_CTRL", "");
  if (enable && *enable) env[n++] = kv("FIU_ENABLE", enable);
  if (has_asan) {
    char supp[4096];
    snprintf(supp, sizeof supp, "%s.lsan-supp", prefix);
    FILE *f = fopen(supp, "w");
    if (!f || fputs("# libfiu 1.1 fiu_run_preload.so leaks one strdup at start\n"
                    "leak:fiu_run_preload.so\n", f) < 0 || fclose(f) != 0) {
      snprintf(err, err_cap, "%s: cannot write: %s", supp, strerror(errno));
      sp_fiu_preload_env_free(env);
      return -1;
    }
    const char *old = getenv("LSAN_OPTIONS");
    char opts[8192];
    snprintf(opts, sizeof opts, "suppressions=%s%s%s", supp, old && *old ? ":" : "", old ? old : "");
    env[n++] = kv("LSAN_OPTIONS", opts);
  }
  return 0;
}

void sp_fiu_preload_env_free(char *env[7]) {
  for (int i = 0; i < 7; i++) {
    free(env[i]);
    env[i] = NULL;
  }
}
