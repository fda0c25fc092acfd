/* html.h: writing the report's HTML: escaping, the page frame (inline CSS,
 * no scripts but the image counter, nothing fetched from the network, so
 * index.html opens from the file system anywhere) and small table helpers. */
#ifndef SP_REPORT_HTML_H
#define SP_REPORT_HTML_H

#include <jansson.h>
#include <stdio.h>

/* Writes s with &, <, >, " and ' escaped. NULL writes nothing. */
void html_text(FILE *f, const char *s);
/* printf, then escaped. */
void html_textf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a relative URL: each path byte outside [A-Za-z0-9/._~-] is
 * %-encoded, so file names with spaces or '#' still link. */
void html_url(FILE *f, const char *path);

/* <!DOCTYPE html> ... <body data-images="N">: the page frame with its CSS.
 * n_images: how many <img> the page will hold (the image counter's target). */
void html_begin(FILE *f, const char *title, int n_images);
/* The image counter script and </body></html>. */
void html_end(FILE *f, const char *generated_by);

/* A JSON scalar as text: strings as-is, numbers in %g style (integers
 * without a decimal point), true/false, "" for null or containers. */
void html_json_scalar(FILE *f, json_t *v);

/* <span class="verdict verdict-X">X</span> for valid, invalid, unknown,
 * anything else grey. */
void html_verdict_badge(FILE *f, const char *verdict);

#endif
