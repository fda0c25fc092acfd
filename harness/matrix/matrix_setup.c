/* matrix_setup.c: see matrix_setup.h. */
#include "matrix_setup.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* faults/inject/schedule.h through executor.h: a bare "schedule.h" would be
 * ambiguous here (workloads/loadgen has one too, the rate schedule). */
#include "executor.h"
#include "workload.h"

#define DEFAULT_WORKLOAD "workloads/matrix/default.yaml"

/* 1 when root holds the shipped matrix workload. */
static int share_in(const char *root) {
  char file[MX_PATH_MAX + 64];
  snprintf(file, sizeof file, "%s/" DEFAULT_WORKLOAD, root);
  return access(file, R_OK) == 0;
}

int mx_share_dir(char *out, size_t cap) {
  char exe[MX_PATH_MAX - 64];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    snprintf(out, cap, "%s/../share/streamproof", exe);
    if (share_in(out)) return 0;
  }
#ifdef SP_MATRIX_SOURCE_DIR
  snprintf(out, cap, "%s", SP_MATRIX_SOURCE_DIR);
  if (share_in(out)) return 0;
#endif
  if (cap) out[0] = '\0';
  return -1;
}

int mx_mkdirs(const char *path) {
  char buf[MX_PATH_MAX];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Checks that every semantics of the matrix applies to every subscription
 * of w: a subscriptions: entry that sets its own semantics would silently
 * keep it in every row. */
static int check_semantics(workload *w, const mx_options *o, char *err, size_t cap) {
  if (w->subscriptions_per_topic < 1) {
    snprintf(err, cap,
             "%s: subscriptionsPerTopic is 0: the matrix compares how consumers consume, so the "
             "workload needs a subscription",
             w->path);
    return -1;
  }
  for (size_t i = 0; i < w->n_sub_overrides; i++)
    if (w->sub_overrides[i].semantics >= 0) {
      snprintf(err, cap,
               "%s: subscriptions entry %zu sets its own semantics (%s); the matrix sets the semantics "
               "of every subscription, so remove it",
               w->path, i, semantics_name((delivery_semantics)w->sub_overrides[i].semantics));
      return -1;
    }
  for (int s = 0; s < o->n_sem; s++) {
    char set[64], why[1024];
    snprintf(set, sizeof set, "semantics=%s", MX_SEMANTICS_NAME[o->sem[s]]);
    if (workload_set(w, set, why, sizeof why) != 0) {
      snprintf(err, cap, "the workload cannot run %s: %s", MX_SEMANTICS_NAME[o->sem[s]], why);
      return -1;
    }
  }
  return 0;
}

int mx_setup_workload(const mx_options *o, mx_matrix *m, mx_setup *su, char *err, size_t err_cap) {
  memset(su, 0, sizeof *su);
  int have_share = mx_share_dir(su->share, sizeof su->share) == 0;
  if (o->workload) {
    snprintf(m->workload, sizeof m->workload, "%s", o->workload);
  } else if (have_share) {
    mx_fmt(m->workload, sizeof m->workload, "%s/" DEFAULT_WORKLOAD, su->share);
  } else {
    snprintf(err, err_cap,
             "no workload given and the shipped %s was not found (next to the executable in "
             "../share/streamproof, nor in the source tree): give a workload file",
             DEFAULT_WORKLOAD);
    return -1;
  }
  workload w;
  char why[1536];
  if (workload_load(m->workload, &w, why, sizeof why) != 0) {
    snprintf(err, err_cap, "invalid workload: %s", why);
    workload_free(&w);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < o->n_sets && rc == 0; i++)
    if (workload_set(&w, o->sets[i], why, sizeof why) != 0) {
      snprintf(err, err_cap, "%s", why);
      rc = -1;
    }
  if (rc == 0) rc = check_semantics(&w, o, err, err_cap);
  if (rc == 0) {
    workload_slug(&w, m->workload_name, sizeof m->workload_name);
    su->warmup_s = w.warmup_s;
    su->duration_s = w.duration_s;
    su->drain_timeout_s = w.drain_timeout_s;
    su->producers = (int)workload_producer_count(&w);
    su->consumers = (int)workload_consumer_count(&w);
    su->seed = (unsigned long long)w.seed;
    su->cell_timeout_s = o->cell_timeout_s > 0
                             ? o->cell_timeout_s
                             : 2 * (w.warmup_s + w.duration_s + w.drain_timeout_s) + 180;
  }
  workload_free(&w);
  return rc;
}

/* The names of the shipped schedules, for a message: "a, b, c". */
static void shipped_names(const char *share, char *out, size_t cap) {
  out[0] = '\0';
  char dir[MX_PATH_MAX + 32];
  snprintf(dir, sizeof dir, "%s/faults/matrix", share);
  DIR *d = share[0] ? opendir(dir) : NULL;
  if (!d) return;
  struct dirent *de;
  size_t len = 0;
  while ((de = readdir(d))) {
    size_t n = strlen(de->d_name);
    if (n <= 5 || strcmp(de->d_name + n - 5, ".yaml")) continue;
    len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%.*s", len ? ", " : "",
                            (int)(n - 5), de->d_name);
    if (len >= cap) break;
  }
  closedir(d);
}

/* The column name of a schedule path: its file name without .yaml/.yml. */
static void stem_of(const char *path, char *out, size_t cap) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 5 && !strcmp(base + n - 5, ".yaml")) n -= 5;
  else if (n > 4 && !strcmp(base + n - 4, ".yml")) n -= 4;
  snprintf(out, cap, "%.*s", (int)n, base);
}

/* Finds the schedule file of one --faults item. 0, or -1 with err. */
static int locate(const char *item, const mx_setup *su, mx_fault *f, char *err, size_t cap) {
  size_t n = strlen(item);
  int is_path = strchr(item, '/') || (n > 5 && !strcmp(item + n - 5, ".yaml")) ||
                (n > 4 && !strcmp(item + n - 4, ".yml"));
  if (is_path) {
    snprintf(f->schedule, sizeof f->schedule, "%s", item);
    stem_of(item, f->name, sizeof f->name);
  } else {
    snprintf(f->name, sizeof f->name, "%s", item);
    mx_fmt(f->schedule, sizeof f->schedule, "%s/faults/matrix/%s.yaml", su->share, item);
  }
  if (access(f->schedule, R_OK) == 0) return 0;
  if (is_path) {
    snprintf(err, cap, "--faults %s: %s", item, strerror(errno));
  } else {
    char names[512];
    shipped_names(su->share, names, sizeof names);
    snprintf(err, cap, "--faults %s: no such schedule in faults/matrix/ (%s%s); give none, a shipped name or a schedule file",
             item, names[0] ? "shipped: " : "none found", names);
  }
  return -1;
}

/* Loads and expands one schedule against the workload; marks what it
 * cannot do with these options. 0, or -1 with err. */
static int check_schedule(const mx_options *o, const mx_setup *su, mx_fault *f, char *err, size_t cap) {
  char why[1024];
  sp_schedule *s = sp_schedule_load(f->schedule, why, sizeof why);
  if (!s) {
    snprintf(err, cap, "invalid fault schedule: %s", why);
    return -1;
  }
  int embedded_only = 0;
  for (int i = 0; i < s->n_faults; i++) {
    sp_target_kind k = s->faults[i].target.kind;
    if (k == SP_TARGET_PROCESSOR) f->targets_processor = 1;
    if (k == SP_TARGET_BROKER || k == SP_TARGET_LINK) embedded_only = 1;
  }
  if (embedded_only && o->bootstrap)
    snprintf(f->na_reason, sizeof f->na_reason,
             "needs the embedded refbroker: broker and link faults cannot be injected into the broker "
             "at --bootstrap %s",
             o->bootstrap);
  sp_topology topo = {.producers = su->producers, .consumers = su->consumers, .has_processor = 1,
                      .has_link = !o->bootstrap};
  sp_plan plan;
  int rc = 0;
  if (!f->na_reason[0] &&
      sp_schedule_expand(s, sp_schedule_seed(s, su->seed), &topo, &plan, why, sizeof why) != 0) {
    snprintf(err, cap, "fault schedule %s does not fit the workload: %s", f->schedule, why);
    rc = -1;
  } else if (!f->na_reason[0]) {
    double load_end_s = su->warmup_s + su->duration_s;
    if (plan.n_actions == 0 || plan.actions[0].t_s >= load_end_s) {
      snprintf(err, cap,
               "fault schedule %s: its first fault %s at %.1f s, but the load ends at %.1f s "
               "(warm-up %.1f s + duration %.1f s): the '%s' cells would run without a fault",
               f->schedule, plan.n_actions ? "starts" : "never starts", plan.n_actions ? plan.actions[0].t_s : 0,
               load_end_s, su->warmup_s, su->duration_s, f->name);
      rc = -1;
    }
    sp_plan_free(&plan);
  }
  sp_schedule_free(s);
  return rc;
}

int mx_setup_faults(const mx_options *o, const mx_setup *su, mx_matrix *m, char *err, size_t err_cap) {
  m->n_faults = o->n_faults;
  m->none_col = -1;
  for (int i = 0; i < o->n_faults; i++) {
    mx_fault *f = &m->faults[i];
    memset(f, 0, sizeof *f);
    if (!strcmp(o->faults[i], "none")) {
      snprintf(f->name, sizeof f->name, "none");
      m->none_col = i;
      continue;
    }
    if (locate(o->faults[i], su, f, err, err_cap)) return -1;
    for (int k = 0; k < i; k++)
      if (!strcmp(m->faults[k].name, f->name)) {
        snprintf(err, err_cap, "--faults: two columns named '%s' (%s and %s)", f->name, o->faults[k],
                 o->faults[i]);
        return -1;
      }
    if (check_schedule(o, su, f, err, err_cap)) return -1;
  }
  return 0;
}

/* 1 when path exists and is a non-empty folder or not a folder. */
static int exists_nonempty(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  if (!S_ISDIR(st.st_mode)) return 1;
  DIR *d = opendir(path);
  if (!d) return 1;
  struct dirent *de;
  int any = 0;
  while (!any && (de = readdir(d))) any = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
  closedir(d);
  return any;
}

int mx_setup_out_dir(const mx_options *o, const mx_matrix *m, char *out, size_t cap, char *err,
                     size_t err_cap) {
  if (o->out) {
    if (exists_nonempty(o->out)) {
      snprintf(err, err_cap, "--out %s: exists and is not an empty folder (refusing to mix matrices)", o->out);
      return 1;
    }
    snprintf(out, cap, "%s", o->out);
  } else {
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    /* "matrix" once: the default workload is itself called matrix */
    const char *prefix = strncmp(m->workload_name, "matrix", 6) ? "matrix-" : "";
    snprintf(out, cap, "results/%s-%s%s", stamp, prefix, m->workload_name);
    for (int i = 2; exists_nonempty(out) && i < 100; i++)
      snprintf(out, cap, "results/%s-%s%s-%d", stamp, prefix, m->workload_name, i);
  }
  char logs[MX_PATH_MAX + 8];
  snprintf(logs, sizeof logs, "%s/logs", out);
  if (mx_mkdirs(out) != 0 || mx_mkdirs(logs) != 0) {
    snprintf(err, err_cap, "cannot create %s: %s", logs, strerror(errno));
    return -1;
  }
  return 0;
}
