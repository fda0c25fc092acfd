/* gnuplot.c: see gnuplot.h. */
#include "gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

/* 1 when path is an executable regular file. */
static int executable(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Finds the first executable `name` in the colon-separated search path. */
static int search_path(const char *name, const char *path_env, char *out, size_t cap) {
  const char *p = path_env;
  while (p && *p) {
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    if (len == 0) snprintf(out, cap, "./%s", name);
    else snprintf(out, cap, "%.*s/%s", (int)len, p, name);
    if (executable(out)) return 0;
    p = colon ? colon + 1 : NULL;
  }
  return -1;
}

/* 1 when dir holds the scripts (common.gp is what every script loads). */
static int scripts_in(const char *dir) {
  char file[GP_PATH_MAX + 16];
  snprintf(file, sizeof file, "%s/common.gp", dir);
  return access(file, R_OK) == 0;
}

int gp_env_find(gp_env *env, char *err, size_t err_cap) {
  memset(env, 0, sizeof *env);
  const char *forced = getenv("SP_GNUPLOT");
  if (forced && *forced) {
    if (!executable(forced)) {
      snprintf(err, err_cap, "SP_GNUPLOT=%s is not an executable file", forced);
      return -1;
    }
    snprintf(env->gnuplot, sizeof env->gnuplot, "%s", forced);
  } else if (search_path("gnuplot", getenv("PATH"), env->gnuplot, sizeof env->gnuplot) != 0) {
    snprintf(err, err_cap,
             "gnuplot not found on PATH; the report needs it (Debian: apt-get install gnuplot-nox), "
             "or set SP_GNUPLOT to the gnuplot executable");
    return -1;
  }

  const char *dir = getenv("SP_PLOTS_DIR");
  if (dir && *dir) {
    if (!scripts_in(dir)) {
      snprintf(err, err_cap, "SP_PLOTS_DIR=%s holds no common.gp (it must name streamproof's plots/ folder)", dir);
      return -1;
    }
    snprintf(env->scripts, sizeof env->scripts, "%s", dir);
    return 0;
  }
  char exe[GP_PATH_MAX - 64];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    snprintf(env->scripts, sizeof env->scripts, "%s/../share/streamproof/plots", exe);
    if (scripts_in(env->scripts)) return 0;
  }
#ifdef SP_PLOTS_SOURCE_DIR
  snprintf(env->scripts, sizeof env->scripts, "%s", SP_PLOTS_SOURCE_DIR);
  if (scripts_in(env->scripts)) return 0;
#endif
  snprintf(err, err_cap,
           "the plot scripts (plots/*.gp) were not found next to the executable "
           "(../share/streamproof/plots)%s; set SP_PLOTS_DIR to streamproof's plots/ folder",
#ifdef SP_PLOTS_SOURCE_DIR
           " nor in the source tree " SP_PLOTS_SOURCE_DIR
#else
           ""
#endif
  );
  env->scripts[0] = '\0';
  return -1;
}

/* Appends "; " between parameters. */
static void separate(gp_params *p) {
  if (p->b.len) sp_buf_append(&p->b, "; ", 2);
}

void gp_param_str(gp_params *p, const char *name, const char *value) {
  separate(p);
  sp_buf_append(&p->b, name, strlen(name));
  sp_buf_append(&p->b, "='", 2);
  for (const char *c = value; *c; c++) {
    if (*c == '\'') sp_buf_append(&p->b, "'", 1); /* '' is a quote inside '...' */
    sp_buf_append(&p->b, c, 1);
  }
  sp_buf_append(&p->b, "'", 1);
}

void gp_param_num(gp_params *p, const char *name, double value) {
  char num[64];
  snprintf(num, sizeof num, "%s=%.17g", name, value);
  separate(p);
  sp_buf_append(&p->b, num, strlen(num));
}

void gp_params_free(gp_params *p) { sp_buf_free(&p->b); }

/* The last non-empty line of out (gnuplot's error comes last), or "". */
static void last_line(const char *out, size_t len, char *dst, size_t cap) {
  while (len && (out[len - 1] == '\n' || out[len - 1] == ' ')) len--;
  size_t start = len;
  while (start && out[start - 1] != '\n') start--;
  snprintf(dst, cap, "%.*s", (int)(len - start), out + start);
}

int gp_run(const gp_env *env, const char *script, const gp_params *p, const char *cwd,
           int timeout_s, FILE *log, char *err, size_t err_cap) {
  char script_path[GP_PATH_MAX + 256];
  snprintf(script_path, sizeof script_path, "%s/%s", env->scripts, script);
  sp_buf params = SP_BUF_INIT;
  sp_buf_append(&params, p->b.data ? (const char *)p->b.data : "", p->b.len);
  sp_buf_append(&params, "", 1);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    snprintf(err, err_cap, "pipe: %s", strerror(errno));
    sp_buf_free(&params);
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(err, err_cap, "fork: %s", strerror(errno));
    close(fds[0]);
    close(fds[1]);
    sp_buf_free(&params);
    return -1;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (chdir(cwd) != 0) {
      dprintf(STDERR_FILENO, "cannot enter %s: %s\n", cwd, strerror(errno));
      _exit(126);
    }
    char *argv[] = {(char *)env->gnuplot, "-e", (char *)params.data, script_path, NULL};
    execv(env->gnuplot, argv);
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", env->gnuplot, strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  sp_buf out = SP_BUF_INIT;
  uint64_t deadline = sp_mono_ns() + (uint64_t)timeout_s * 1000000000ull;
  int timed_out = 0;
  for (;;) {
    uint64_t now = sp_mono_ns();
    if (now >= deadline) {
      timed_out = 1;
      kill(pid, SIGKILL);
      break;
    }
    struct pollfd pfd = {fds[0], POLLIN, 0};
    int r = poll(&pfd, 1, (int)((deadline - now) / 1000000ull) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    uint8_t *dst = sp_buf_reserve(&out, 4096);
    ssize_t got = read(fds[0], dst, 4096);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    sp_buf_commit(&out, (size_t)got);
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (log) {
    fprintf(log, "$ gnuplot -e \"%s\" %s\n", (const char *)params.data, script_path);
    if (out.len) fwrite(out.data, 1, out.len, log);
  }
  int rc = 0;
  char last[512];
  last_line(out.data ? (const char *)out.data : "", out.len, last, sizeof last);
  if (timed_out) {
    snprintf(err, err_cap, "gnuplot %s: killed after %d s", script, timeout_s);
    rc = -1;
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (WIFSIGNALED(status))
      snprintf(err, err_cap, "gnuplot %s: killed by signal %d%s%s", script, WTERMSIG(status),
               *last ? ": " : "", last);
    else
      snprintf(err, err_cap, "gnuplot %s: exit status %d%s%s", script, WEXITSTATUS(status),
               *last ? ": " : "", last);
    rc = -1;
  }
  sp_buf_free(&out);
  sp_buf_free(&params);
  return rc;
}
