# anomalies.gp: the checker's anomaly counts by type, one bar per type,
# red where the run's semantics forbid the anomaly, blue where they allow
# it (at-least-once redeliveries, say); each bar carries its count, "0"
# included, so "checked and none found" is visible.
#
#   gnuplot -e "data='results/RUN/plots/anomalies.csv'; out='/tmp/anomalies'" plots/anomalies.gp
#
# Parameters (besides out, formats, title, width, height: common.gp):
#   data   CSV with header type,count,allowed (1 allowed, 0 forbidden);
#          `streamproof report` writes it to plots/anomalies.csv from
#          verdict.json
#   logy   optional: 1 for a log count axis (counts of very different size)
scriptdir = ""; do for [i=strlen(ARG0):1:-1] { if (scriptdir eq "" && ARG0[i:i] eq "/") { scriptdir = ARG0[1:i] } }
load scriptdir."common.gp"
if (!exists("data")) exit error "parameter data is missing: the anomalies CSV (type,count,allowed)"
if (!exists("title")) title = "Anomalies found by the checker"
if (!exists("W")) W = exists("width") ? width : 1100
if (!exists("H")) H = exists("height") ? height : 500
if (!exists("logy")) logy = 0
set datafile separator ","
set datafile columnheaders

stats data using (column("count")) nooutput
n = STATS_records
cmax = STATS_max
if (logy) {
  ylo = 0.5; yhi = cmax > 0 ? 10**(log10(cmax) * 1.25 + 0.3) : 10
  set logscale y 10
  bar_base = ylo
} else {
  ylo = 0; yhi = cmax > 0 ? 1.25 * cmax : 1
  bar_base = 0
}
bar_color(allowed) = (allowed > 0) ? 0x1f77b4 : 0xd62728
label_y(c) = logy ? (c > 0 ? c * 1.3 : ylo * 1.3) : c + 0.02 * yhi

set title title
set ylabel "Count"
set xrange [-0.6:n - 0.4]
set yrange [ylo:yhi]
if (logy) { set format y "%g" } else { eval count_tics("y", yhi) }
set xtics rotate by -25 left nomirror scale 0 font ",9"
set ytics mirror
set grid noxtics ytics
set boxwidth 0.6
set style fill solid 0.85 noborder
set bmargin 6

do for [fmt in formats] {
  eval set_terminal(fmt)
  plot data using ($0):(column("count") > 0 ? column("count") : bar_base):(bar_color(column("allowed"))):xtic(strcol("type")) with boxes lc rgb variable notitle, \
       data using ($0):(label_y(column("count"))):(sprintf("%d", column("count"))) with labels font ",9" notitle, \
       NaN with boxes lc rgb C_RED title "forbidden by the semantics", \
       NaN with boxes lc rgb C_BLUE title "allowed by the semantics"
}
