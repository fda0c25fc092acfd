/* matrix_page.c: see matrix_page.h. */
#include "matrix_page.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "html.h"
#include "matrix_table.h"

typedef struct page {
  const mx_matrix *m;
  const char *dir;
  int have_plot;
  const char *plot_problem;
} page;

/* 1 when <dir>/<rel> is a regular file. */
static int file_in(const char *dir, const char *rel) {
  char path[2 * MX_PATH_MAX + 2];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The links of one cell: per run, its report (or folder) and its log. */
static void run_links(FILE *f, const page *pg, const mx_cell *c) {
  for (int k = 0; k < c->n_runs; k++) {
    const mx_run *r = &c->runs[k];
    if (r->state == MX_RUN_PENDING) continue;
    if (k) fputs("<br>", f);
    if (c->n_runs > 1) fprintf(f, "%d: ", k + 1);
    char index[MX_PATH_MAX + 16];
    snprintf(index, sizeof index, "%s/index.html", r->dir);
    if (r->dir[0] && file_in(pg->dir, index)) {
      fputs("<a href=\"", f);
      html_url(f, index);
      fputs("\">report</a> ", f);
    } else if (r->state == MX_RUN_DONE || r->state == MX_RUN_FAILED) {
      fputs("<a href=\"", f);
      html_url(f, r->dir);
      fputs("/\">results</a> ", f);
    }
    if (r->log[0] && file_in(pg->dir, r->log)) {
      fputs("<a href=\"", f);
      html_url(f, r->log);
      fputs("\">log</a>", f);
    }
  }
}

/* A grid as an HTML table; with m, row i+1 gets cell i's links and a
 * highlight when its verdict is invalid or it failed. */
static void grid_html(FILE *f, const mx_grid *g, const page *pg, const mx_matrix *m) {
  fputs("<table>\n<tr>", f);
  for (int c = 0; c < g->cols; c++) {
    fputs("<th>", f);
    html_text(f, g->cell[0][c]);
    fputs("</th>", f);
  }
  if (m) fputs("<th>runs</th>", f);
  fputs("</tr>\n", f);
  for (int r = 1; r < g->rows; r++) {
    const mx_cell *cell = m ? &m->cells[r - 1] : NULL;
    int bad = cell && (!strcmp(cell->verdict, "invalid") || cell->state == MX_CELL_FAILED ||
                       cell->state == MX_CELL_PARTIAL);
    fprintf(f, "<tr%s>", bad ? " class=\"bad\"" : "");
    for (int c = 0; c < g->cols; c++) {
      fprintf(f, "<td%s>", g->right[c] ? " class=\"num\"" : "");
      html_text(f, g->cell[r][c]);
      fputs("</td>", f);
    }
    if (cell) {
      fputs("<td>", f);
      run_links(f, pg, cell);
      fputs("</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* A link to a file of the matrix folder, when it exists. */
static void file_link(FILE *f, const page *pg, const char *rel, const char *what) {
  if (!file_in(pg->dir, rel)) return;
  fputs("<a href=\"", f);
  html_url(f, rel);
  fputs("\">", f);
  html_text(f, what);
  fputs("</a>", f);
}

static void write_body(FILE *f, const page *pg) {
  const mx_matrix *m = pg->m;
  char title[256];
  snprintf(title, sizeof title, "Delivery semantics \xc3\x97 faults: %s", m->workload_name);
  html_begin(f, title, pg->have_plot ? 1 : 0);
  fputs("<h1>", f);
  html_text(f, title);
  fputs("</h1>\n<p class=\"sub\">", f);
  html_textf(f, "%d semantics \xc3\x97 %d fault%s, %d run%s per cell, %s to %s. Workload ", m->n_sem, m->n_faults,
             m->n_faults > 1 ? "s" : "", m->repeat, m->repeat > 1 ? "s" : "", m->begin_time, m->end_time);
  fputs("<span class=\"path\">", f);
  html_text(f, m->workload);
  fputs("</span>.</p>\n<nav>", f);
  file_link(f, pg, "matrix.md", "matrix.md");
  file_link(f, pg, "matrix.csv", "matrix.csv");
  file_link(f, pg, "matrix-runs.csv", "matrix-runs.csv");
  file_link(f, pg, "matrix.svg", "matrix.svg");
  file_link(f, pg, "logs/gnuplot.log", "gnuplot.log");
  fputs("</nav>\n", f);
  if (m->interrupted) fputs("<p class=\"missing\">The matrix was interrupted: cells marked \"not run\" did not run.</p>\n", f);
  if (pg->have_plot) {
    fputs("<figure><a href=\"matrix.svg\"><img src=\"matrix.png\" alt=\"loss, duplication, latency and "
          "throughput per cell\" width=\"1400\" height=\"1000\"></a>\n<figcaption>Loss and delivery more than "
          "once per cell (share of the acked messages), end-to-end latency and consume throughput with "
          "their cost against the same semantics without a fault. The picture links its SVG.</figcaption>"
          "</figure>\n",
          f);
  } else {
    fputs("<p class=\"missing\">No plot: ", f);
    html_text(f, pg->plot_problem && *pg->plot_problem ? pg->plot_problem : "it was not drawn");
    fputs("</p>\n", f);
  }
  fputs("<h2>The matrix</h2>\n", f);
  mx_grid g;
  mx_table_build(m, &g);
  grid_html(f, &g, pg, m);
  mx_grid_free(&g);
  fputs("<p class=\"sub\"><b>lost</b>: messages in the log the subscription never applied (lost-write + "
        "unseen); <b>duplicated</b>: messages stored at two offsets; <b>redelivered</b>: offsets applied "
        "more than once; each with its share of the acked messages. <b>other</b>: every other anomaly. "
        "The <b>verdict</b> judges them against the row's promise (at-most-once may lose, at-least-once may "
        "repeat, exactly-once may do neither). <b>Δ</b>: against the same semantics' no-fault cell "
        "(throughput change; latency factor).</p>\n",
        f);
  mx_semantics_table_build(m, &g);
  if (g.rows) {
    fputs("<h2>The cost of each semantics without faults</h2>\n", f);
    grid_html(f, &g, pg, NULL);
  }
  mx_grid_free(&g);
  notes nt = {0};
  mx_table_notes(m, &nt);
  fputs("<h2>Notes</h2>\n", f);
  if (!nt.n) fputs("<p>None: every cell ran, injected its faults and kept its schedule.</p>\n", f);
  else fputs("<ul class=\"notes\">\n", f);
  for (size_t i = 0; i < nt.n; i++) {
    fputs("<li>", f);
    html_text(f, nt.v[i]);
    fputs("</li>\n", f);
  }
  if (nt.n) fputs("</ul>\n", f);
  notes_free(&nt);
  fputs("<h2>Command</h2>\n<pre class=\"mono\">", f);
  html_text(f, m->command);
  fputs("</pre>\n", f);
  char by[128], stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(by, sizeof by, "streamproof matrix, %s", stamp);
  html_end(f, by);
}

/* write_body in mx_write_file's shape. */
static void page_writer(FILE *f, const void *pg) { write_body(f, pg); }

int mx_page_write(const mx_matrix *m, const char *dir, int have_plot, const char *plot_problem, char *err,
                  size_t err_cap) {
  page pg = {m, dir, have_plot, plot_problem};
  return mx_write_file(dir, "index.html", page_writer, &pg, err, err_cap);
}
