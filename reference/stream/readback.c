/* readback.c: see readback.h. */
#include "readback.h"

#include <jansson.h>
#include <string.h>

static int get_i64(const json_t *o, const char *k, int64_t *out) {
  const json_t *v = json_object_get(o, k);
  if (!json_is_integer(v)) return -1;
  *out = (int64_t)json_integer_value(v);
  return 0;
}

static rs_rb_status apply_marks(rs_task *t, const json_t *marks) {
  if (!json_is_array(marks)) return RS_RB_BAD;
  size_t i;
  const json_t *m;
  json_array_foreach(marks, i, m) {
    int64_t input, pos, value;
    const char *type = json_string_value(json_object_get(m, "type"));
    if (get_i64(m, "input", &input) || get_i64(m, "pos", &pos) || get_i64(m, "value", &value) ||
        !type || input < 0 || input >= t->n_inputs)
      return RS_RB_BAD;
    rs_mark mk = {(uint16_t)input, 0, pos, value};
    if (strcmp(type, "proc") == 0) mk.type = RS_MARK_PROC;
    else if (strcmp(type, "idle") == 0) mk.type = RS_MARK_IDLE;
    else return RS_RB_BAD;
    rs_task_readback_mark(t, &mk);
  }
  return RS_RB_OK;
}

rs_rb_status rs_readback_record(rs_engine *e, const void *value, size_t len) {
  if (!value) return RS_RB_FOREIGN;
  json_t *o = json_loadb(value, len, 0, NULL);
  if (!o) return RS_RB_BAD;
  rs_rb_status st = RS_RB_FOREIGN;
  int64_t v, task, through;
  const char *kind = json_string_value(json_object_get(o, "kind"));
  const json_t *id = json_object_get(o, "id");
  const char *topic = json_string_value(json_object_get(o, "topic"));
  if (get_i64(o, "v", &v) || v != 1 || !kind || !json_is_string(id) || get_i64(o, "task", &task) ||
      task < 0 || task >= e->n_tasks || !topic)
    goto out;
  rs_task *t = e->tasks[task];
  int64_t p;
  if (strcmp(topic, t->in[0].topic) != 0 || get_i64(o, "p", &p) || p != t->in[0].partition)
    goto out; /* another job's task with the same number */
  if (get_i64(o, "through", &through) == 0) rs_task_readback_through(t, 0, through);
  if (t->n_inputs > 1 && get_i64(o, "through1", &through) == 0)
    rs_task_readback_through(t, 1, through);
  if (strcmp(kind, "marks") == 0) {
    st = apply_marks(t, json_object_get(o, "marks"));
  } else {
    rs_task_readback_id(t, json_string_value(id), json_string_length(id));
    st = RS_RB_OK;
  }
out:
  json_decref(o);
  return st;
}
