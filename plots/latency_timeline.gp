# latency_timeline.gp: latency over the run, per second: p50, p99 and max
# of the messages acknowledged (publish) or consumed (e2e) in that second,
# corrected (from the intended send time), on a log y axis in ms; fault
# windows as translucent labelled bands, warm-up and drain shaded. A second
# without samples leaves a gap.
#
#   gnuplot -e "dir='results/RUN'; metric='e2e'; out='/tmp/e2e_over_time'" plots/latency_timeline.gp
#
# Parameters (besides out, formats, title, width, height: common.gp):
#   dir or timeline   the results folder, or its timeline.csv
#   metric            "e2e" (default) or "publish": columns <metric>_p50_ms,
#                     <metric>_p99_ms, <metric>_max_ms
#   bands, warmup_end_s, drain_start_s   as in throughput.gp
scriptdir = ""; do for [i=strlen(ARG0):1:-1] { if (scriptdir eq "" && ARG0[i:i] eq "/") { scriptdir = ARG0[1:i] } }
load scriptdir."common.gp"
load scriptdir."timeline_common.gp"
if (!exists("metric")) metric = "e2e"
if (metric ne "e2e" && metric ne "publish") exit error "parameter metric must be e2e or publish"
if (!exists("title")) title = (metric eq "e2e" ? "End-to-end" : "Publish")." latency over time (corrected)"
c50 = metric."_p50_ms"; c99 = metric."_p99_ms"; cmax = metric."_max_ms"

pos(v) = (v > 0 ? v : NaN)
stats timeline using (column("t_s")) nooutput
tmax = STATS_max + 1
stats timeline using (pos(cell(c50))) nooutput
ymin = STATS_records > 0 ? STATS_min : 1
stats timeline using (pos(cell(cmax))) nooutput
ymax = STATS_records > 0 ? STATS_max : 10
ylo = 10**floor(log10(ymin)); yhi = log_top(ylo, ymax, 4); logy = 1

set title title
set xlabel "Time (s)"
set ylabel "Latency (ms)"
set logscale y 10
set format y "%g"
set xrange [0:tmax]
set yrange [ylo:yhi]
eval phase_shading
band_min_s = tmax / 300.0

do for [fmt in formats] {
  eval set_terminal(fmt)
  plot @BANDS \
       timeline using (column("t_s") + 0.5):(pos(cell(c50))) with linespoints pt 7 ps 0.3 lw 1.5 lc rgb C_BLUE title "p50", \
       timeline using (column("t_s") + 0.5):(pos(cell(c99))) with linespoints pt 7 ps 0.3 lw 1.5 lc rgb C_ORANGE title "p99", \
       timeline using (column("t_s") + 0.5):(pos(cell(cmax))) with linespoints pt 7 ps 0.3 lw 1.2 dt 2 lc rgb C_RED title "max"
}
