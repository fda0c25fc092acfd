/* matrix_model.c: the matrix's shape (matrix_int.h): semantics names,
 * cells, allocation. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_cell.h"
#include "matrix_int.h"
#include "mem.h"
#include "sp_assert.h"

const char *const MX_SEMANTICS_NAME[MX_SEMANTICS] = {"at_most_once", "at_least_once", "exactly_once"};

int mx_semantics_id(const char *name) {
  for (int i = 0; i < MX_SEMANTICS; i++)
    if (!strcmp(name, MX_SEMANTICS_NAME[i])) return i;
  return -1;
}

mx_cell *mx_cell_at(const mx_matrix *m, int s, int f) {
  SP_ASSERT(s >= 0 && s < m->n_sem && f >= 0 && f < m->n_faults);
  return &m->cells[s * m->n_faults + f];
}

void mx_matrix_alloc(mx_matrix *m) {
  SP_ASSERT(m->n_sem > 0 && m->n_faults > 0 && m->repeat > 0);
  m->cells = sp_calloc((size_t)(m->n_sem * m->n_faults), sizeof *m->cells);
  for (int s = 0; s < m->n_sem; s++)
    for (int f = 0; f < m->n_faults; f++) {
      mx_cell *c = mx_cell_at(m, s, f);
      c->sem = m->sem[s];
      c->fault = f;
      c->n_runs = m->repeat;
      c->runs = sp_calloc((size_t)m->repeat, sizeof *c->runs);
      for (int k = 0; k < m->repeat; k++) {
        c->runs[k].state = MX_RUN_PENDING;
        c->runs[k].exit_code = -1;
        mx_figures_clear(&c->runs[k].fig);
      }
    }
}

void mx_matrix_free(mx_matrix *m) {
  if (m->cells)
    for (int i = 0; i < m->n_sem * m->n_faults; i++) free(m->cells[i].runs);
  free(m->cells);
  m->cells = NULL;
}

void mx_fault_label(const mx_fault *f, char *buf, size_t cap) {
  if (!strcmp(f->name, "none")) {
    snprintf(buf, cap, "no fault");
    return;
  }
  snprintf(buf, cap, "%s", f->name);
  for (char *p = buf; *p; p++)
    if (*p == '-' || *p == '_') *p = ' ';
}

void mx_fmt(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
}

int mx_write_file(const char *dir, const char *name, void (*writer)(FILE *f, const void *ctx),
                  const void *ctx, char *err, size_t err_cap) {
  char path[MX_PATH_MAX + 128], tmp[MX_PATH_MAX + 136];
  mx_fmt(path, sizeof path, "%s/%s", dir, name);
  mx_fmt(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    mx_fmt(err, err_cap, "cannot write %s: %s", tmp, strerror(errno));
    return -1;
  }
  writer(f, ctx);
  int bad = ferror(f);
  if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
    mx_fmt(err, err_cap, "cannot write %s: %s", path, bad ? "write error" : strerror(errno));
    remove(tmp);
    return -1;
  }
  return 0;
}
