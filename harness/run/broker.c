/* broker.c: the embedded refbroker (and spproxy in front of it).
 *
 * Without --bootstrap a run starts its own refbroker: data directory in
 * the run's temporary directory, a free port on 127.0.0.1, the workload's
 * broker flags. It keeps that port and data directory for its whole life,
 * so a fault can kill and restart it "in place". When the fault plan has
 * link faults, spproxy listens in front of it and refbroker advertises the
 * proxy's address, so every client connection (bootstrap and the
 * advertised one) crosses the proxy. Logs: <run>/logs/broker.log and
 * proxy.log (every incarnation appends). */
#include <errno.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fiu_remote.h"
#include "log.h"
#include "mem.h"
#include "preload.h"
#include "run_int.h"

#define BROKER_LISTEN_TIMEOUT_MS 30000

/* A port free on 127.0.0.1 right now (bind to 0, read it, close). */
static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  int port = -1;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
      getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
    port = ntohs(sa.sin_port);
  close(fd);
  return port;
}

/* A program that ships next to streamproof (bin/), else found on PATH. */
void run_sibling(const run_ctx *c, const char *name, char *out, size_t cap) {
  char *copy = sp_strdup(c->exe);
  snprintf(out, cap, "%s/%s", dirname(copy), name);
  free(copy);
  if (access(out, X_OK) != 0) snprintf(out, cap, "%s", name);
}

/* The last lines of a log file, for an error message. */
void run_log_tail(const char *path, char *out, size_t cap) {
  out[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  char buf[4096];
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, size > (long)sizeof buf - 1 ? size - (long)sizeof buf + 1 : 0, SEEK_SET);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  /* keep the last 3 lines */
  int lines = 0;
  char *p = buf + n;
  while (p > buf && lines < 4)
    if (*--p == '\n') lines++;
  run_fmt(out, cap, "%s", p == buf ? p : p + 1);
}

/* Waits until p prints "listening on"; on failure err names the log. */
static int wait_listening(sp_proc *p, const char *what, const char *log_path, char *err,
                          size_t err_len) {
  char line[512];
  if (sp_proc_wait_log(p, "listening on", BROKER_LISTEN_TIMEOUT_MS, line, sizeof line) == 0) return 0;
  char tail[1024], how[64];
  run_log_tail(log_path, tail, sizeof tail);
  snprintf(err, err_len, "%s did not start listening (%s); %s says:\n%s", what,
           sp_proc_describe(p, how, sizeof how), log_path, tail);
  return -1;
}

static int start_proxy(run_ctx *c, char *err, size_t err_len) {
  char bin[RUN_PATH_MAX], listen[64], upstream[64], log[RUN_PATH_MAX + 32];
  run_sibling(c, "spproxy", bin, sizeof bin);
  c->proxy_port = free_port();
  snprintf(listen, sizeof listen, "127.0.0.1:%d", c->proxy_port);
  snprintf(upstream, sizeof upstream, "127.0.0.1:%d", c->broker_port);
  run_fmt(c->proxy_control, sizeof c->proxy_control, "%s/proxy.sock", c->tmp_dir);
  snprintf(log, sizeof log, "%s/proxy.log", c->logs_dir);
  const char *argv[] = {bin, "--listen", listen, "--upstream", upstream, "--control",
                        c->proxy_control, NULL};
  sp_proc_spec ps = {.argv = argv, .log_path = log, .name = "link"};
  c->proxy = sp_proc_spawn(&ps, err, err_len);
  if (!c->proxy) return -1;
  return wait_listening(c->proxy, "spproxy", log, err, err_len);
}

/* One attempt at starting refbroker on c->broker_port. */
static int spawn_broker(run_ctx *c, char *err, size_t err_len) {
  char data[RUN_PATH_MAX + 32], listen[64], advertise[64], log[RUN_PATH_MAX + 32];
  snprintf(data, sizeof data, "%s/broker-data", c->tmp_dir);
  snprintf(listen, sizeof listen, "127.0.0.1:%d", c->broker_port);
  snprintf(log, sizeof log, "%s/broker.log", c->logs_dir);
  size_t n = 0;
  const char **argv = sp_calloc(8 + c->n_broker_flags, sizeof *argv);
  argv[n++] = c->refbroker;
  argv[n++] = "--listen";
  argv[n++] = listen;
  argv[n++] = "--data-dir";
  argv[n++] = data;
  if (c->proxy) {
    snprintf(advertise, sizeof advertise, "127.0.0.1:%d", c->proxy_port);
    argv[n++] = "--advertise";
    argv[n++] = advertise;
  }
  for (size_t i = 0; i < c->n_broker_flags; i++) argv[n++] = c->broker_flags[i];
  argv[n] = NULL;

  char *env[8] = {NULL};
  char fiu_env[RUN_PATH_MAX + 16];
  const char *const *env_add = NULL;
  if (run_faults_need_preload(c)) {
    if (sp_fiu_preload_env(c->refbroker, c->fiu_prefix, NULL, env, err, err_len) != 0) {
      free(argv);
      return -1;
    }
    env_add = (const char *const *)env;
  } else if (run_faults_need_fiu(c)) {
    snprintf(fiu_env, sizeof fiu_env, "SP_FIU_CTRL=%s", c->fiu_prefix);
    env[0] = fiu_env;
    env_add = (const char *const *)env;
  }
  sp_proc_spec ps = {.argv = argv, .env_add = env_add, .log_path = log, .name = "broker"};
  c->broker = sp_proc_spawn(&ps, err, err_len);
  if (run_faults_need_preload(c)) sp_fiu_preload_env_free(env);
  free(argv);
  if (!c->broker) return -1;
  return wait_listening(c->broker, "refbroker", log, err, err_len);
}

int broker_start(run_ctx *c, char *err, size_t err_len) {
  if (c->opt.refbroker) snprintf(c->refbroker, sizeof c->refbroker, "%s", c->opt.refbroker);
  else run_sibling(c, "refbroker", c->refbroker, sizeof c->refbroker);
  if (run_faults_need_fiu(c) || run_faults_need_preload(c)) {
    run_fmt(c->fiu_prefix, sizeof c->fiu_prefix, "%s/fiu-broker", c->tmp_dir);
    sp_fiu_cleanup_stale(c->fiu_prefix);
  }
  /* The port is free when picked, not necessarily when refbroker binds it:
   * another process may take it in between. Try a few. */
  for (int attempt = 0; attempt < 3; attempt++) {
    c->broker_port = free_port();
    if (c->broker_port < 0) {
      snprintf(err, err_len, "no free port on 127.0.0.1: %s", strerror(errno));
      return -1;
    }
    if (run_faults_need_link(c) && start_proxy(c, err, err_len) != 0) return -1;
    if (spawn_broker(c, err, err_len) == 0) break;
    int in_use = strstr(err, "in use") != NULL;
    sp_proc_free(c->broker);
    sp_proc_free(c->proxy);
    c->broker = c->proxy = NULL;
    if (!in_use || attempt == 2) return -1;
    sp_warn("port %d was taken: retrying on another", c->broker_port);
  }
  snprintf(c->bootstrap, sizeof c->bootstrap, "127.0.0.1:%d",
           c->proxy ? c->proxy_port : c->broker_port);
  sp_info("refbroker listening on 127.0.0.1:%d%s", c->broker_port,
          c->proxy ? " behind spproxy" : "");
  return 0;
}

int broker_restart(run_ctx *c, char *err, size_t err_len) {
  if (sp_proc_restart(c->broker, err, err_len) != 0) return -1;
  char log[RUN_PATH_MAX + 32];
  snprintf(log, sizeof log, "%s/broker.log", c->logs_dir);
  if (wait_listening(c->broker, "refbroker (restarted)", log, err, err_len) != 0) return -1;
  c->broker_died = 0;
  return 0;
}

void broker_stop(run_ctx *c) {
  if (c->broker) {
    if (sp_proc_alive(c->broker) && sp_proc_stop(c->broker, 10000))
      sp_warn("refbroker did not stop within 10 s of SIGTERM: killed");
    sp_proc_free(c->broker);
    c->broker = NULL;
  }
  if (c->proxy) {
    if (sp_proc_alive(c->proxy)) sp_proc_stop(c->proxy, 3000);
    sp_proc_free(c->proxy);
    c->proxy = NULL;
  }
  if (c->fiu_prefix[0]) sp_fiu_cleanup_stale(c->fiu_prefix);
}
