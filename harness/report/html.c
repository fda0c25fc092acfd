/* html.c: see html.h. */
#include "html.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "mem.h"

void html_text(FILE *f, const char *s) {
  if (!s) return;
  for (; *s; s++) {
    switch (*s) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    default: fputc(*s, f);
    }
  }
}

void html_textf(FILE *f, const char *fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  html_text(f, buf);
}

void html_url(FILE *f, const char *path) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        strchr("/._~-", *p))
      fputc(*p, f);
    else
      fprintf(f, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
  }
}

/* The page's style: one column, readable tables, plots at full width. */
static const char CSS[] =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:14px;color:#222;"
    "margin:0 auto;padding:16px 24px 48px;max-width:1180px;background:#fff}\n"
    "h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:32px 0 8px;"
    "border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}\n"
    ".sub{color:#555;margin:2px 0}.path{font-family:monospace;color:#555;font-size:12px}\n"
    "nav{margin:12px 0;font-size:13px}nav a{margin-right:14px}\n"
    "a{color:#1f5fa0;text-decoration:none}a:hover{text-decoration:underline}\n"
    "table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}\n"
    "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f4f4f4;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "tr.bad td{background:#fdecea}tr.allowed td{background:#eef5fb}\n"
    ".verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:700;"
    "font-size:14px;vertical-align:middle;background:#777}\n"
    ".verdict-valid{background:#2ca02c}.verdict-invalid{background:#d62728}"
    ".verdict-unknown{background:#e08a00}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}\n"
    ".card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:130px}\n"
    ".card .v{font-size:20px;font-weight:700}.card .k{color:#666;font-size:12px}\n"
    "figure{margin:18px 0}figure img{max-width:100%;height:auto;border:1px solid #eee}\n"
    "figcaption{color:#555;font-size:13px;margin-top:4px}\n"
    ".missing{color:#8a5a00;background:#fff6e0;border:1px solid #f0d8a0;padding:6px 10px;"
    "border-radius:4px;margin:8px 0}\n"
    "ul.notes li{margin:2px 0}code,.mono{font-family:monospace;font-size:12px}\n"
    "details{margin:6px 0}summary{cursor:pointer}\n"
    "footer{margin-top:40px;color:#888;font-size:12px}\n";

void html_begin(FILE *f, const char *title, int n_images) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
        f);
  html_text(f, title);
  fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body data-images=\"%d\">\n", CSS, n_images);
}

void html_end(FILE *f, const char *generated_by) {
  fputs("<footer>", f);
  html_text(f, generated_by);
  fputs("</footer>\n"
        "<script>\n"
        "/* Counts the plots that loaded, for tests and for a reader who wonders\n"
        "   why a picture is blank: body[data-images-loaded], [data-images-failed]. */\n"
        "window.addEventListener('load', function () {\n"
        "  var ok = 0, bad = 0;\n"
        "  for (var i = 0; i < document.images.length; i++) {\n"
        "    var im = document.images[i];\n"
        "    if (im.complete && im.naturalWidth > 0) ok++; else bad++;\n"
        "  }\n"
        "  document.body.setAttribute('data-images-loaded', ok);\n"
        "  document.body.setAttribute('data-images-failed', bad);\n"
        "});\n"
        "</script>\n</body>\n</html>\n",
        f);
}

void html_json_scalar(FILE *f, json_t *v) {
  if (json_is_string(v)) {
    html_text(f, json_string_value(v));
  } else if (json_is_integer(v)) {
    fprintf(f, "%lld", (long long)json_integer_value(v));
  } else if (json_is_real(v)) {
    double d = json_real_value(v);
    if (d == floor(d) && fabs(d) < 1e15) fprintf(f, "%.0f", d);
    else fprintf(f, "%.6g", d);
  } else if (json_is_true(v)) {
    fputs("true", f);
  } else if (json_is_false(v)) {
    fputs("false", f);
  }
}

void html_verdict_badge(FILE *f, const char *verdict) {
  const char *v = verdict ? verdict : "not checked";
  const char *cls = !strcmp(v, "valid") ? "valid" : !strcmp(v, "invalid") ? "invalid"
                    : !strcmp(v, "unknown") ? "unknown" : "none";
  fprintf(f, "<span class=\"verdict verdict-%s\">", cls);
  html_text(f, v);
  fputs("</span>", f);
}
