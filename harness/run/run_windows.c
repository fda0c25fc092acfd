/* run_windows.c: the run's side of fault_window.h: opening the windows
 * once the faults are over (before the readback, which feeds them event
 * times), the checker's anomalies (verdict.json's, or when its few
 * examples do not show them all, a second, read-only pass with many: the
 * file keeps the checker's default), and the fault_windows part of
 * summary.json. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "fault_window.h"
#include "log.h"
#include "run_check.h"
#include "run_int.h"

static uint64_t sched_before(void *ctx, uint64_t rel_ns) {
  return schedule_intended_before(&((run_ctx *)ctx)->sched, rel_ns);
}

void run_windows_open(run_ctx *c) {
  if (!c->have_plan || c->fw) return;
  char path[RUN_PATH_MAX + 32], err[512];
  snprintf(path, sizeof path, "%s/faults.jsonl", c->dir);
  fw_params p = {.t0_ns = c->t0,
                 .t0_wall_ns = c->t0_wall,
                 .end_ns = c->drain_end ? c->drain_end : sp_mono_ns(),
                 .stop_ns = c->measure_end,
                 .subs_per_topic = c->n_topics ? c->n_subs / c->n_topics : 0,
                 .intended_before = sched_before,
                 .ctx = c};
  c->fw = fw_new(&p);
  if (fw_load_faults(c->fw, path, err, sizeof err) != 0) {
    sp_error("fault windows: %s", err);
    fw_free(c->fw);
    c->fw = NULL;
    return;
  }
  for (uint32_t i = 0; i < c->n_producers; i++)
    for (size_t j = 0; j < c->workers[i].n_incs; j++)
      fw_map_writer(c->fw, c->workers[i].incs[j].id, c->workers[i].target);
}

/* 1 when verdict.json's examples already show every anomaly it counts. */
static int examples_complete(json_t *v) {
  const char *type;
  json_t *a;
  json_t *all = json_object_get(v, "anomalies");
  if (!json_is_object(all)) return 0;
  json_object_foreach(all, type, a) {
    json_int_t count = json_integer_value(json_object_get(a, "count"));
    if ((size_t)count > json_array_size(json_object_get(a, "examples"))) return 0;
  }
  return 1;
}

void run_windows_anomalies(run_ctx *c) {
  if (!c->fw || c->opt.no_check) return;
  char path[RUN_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/verdict.json", c->dir);
  json_t *v = json_load_file(path, 0, NULL);
  if (!examples_complete(v)) { /* a second pass with many examples: verdict.json keeps few */
    json_decref(v);
    uint64_t t = sp_mono_ns();
    char *text = run_check_json(c->dir, FW_ANOMALY_EXAMPLES);
    c->fw_check_ns = sp_mono_ns() - t;
    v = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
  }
  if (!v) {
    sp_warn("fault windows: the checker's anomalies could not be read: windows list none");
    return;
  }
  fw_add_anomalies(c->fw, json_object_get(v, "anomalies"));
  json_decref(v);
}

void run_windows_summary(run_ctx *c, json_t *summary) {
  if (!c->fw) return;
  uint64_t t = sp_mono_ns();
  json_object_set_new(summary, "fault_windows", fw_json(c->fw));
  json_t *set = fw_settings_json(c->fw);
  /* what the windows cost after the run: the checker's second pass and the
   * figures (their share of the history scan is not separable) */
  json_object_set_new(set, "checker_pass_s", json_real((double)c->fw_check_ns / 1e9));
  json_object_set_new(set, "figures_s", json_real((double)(sp_mono_ns() - t) / 1e9));
  json_object_set_new(summary, "fault_window_settings", set);
}

void run_windows_print(json_t *summary) {
  json_t *a = json_object_get(summary, "fault_windows");
  size_t i;
  json_t *w;
  char line[2048];
  json_array_foreach(a, i, w) {
    fw_format_line(w, line, sizeof line);
    printf("  fault      %s\n", line);
  }
}

void run_windows_close(run_ctx *c) {
  fw_free(c->fw);
  c->fw = NULL;
}
