# throughput.gp: messages per second over the run (intended, acked,
# consumed, and errors when there are any), fault windows as translucent
# labelled bands, warm-up and drain shaded.
#
#   gnuplot -e "dir='results/RUN'; bands='results/RUN/plots/faults.csv'; out='/tmp/throughput'" plots/throughput.gp
#
# Parameters (besides out, formats, title, width, height: common.gp):
#   dir or timeline   the results folder, or its timeline.csv (columns by name)
#   bands             optional: fault windows, CSV with header
#                     start_s,end_s,label,row (what `streamproof report`
#                     writes to plots/faults.csv from faults.jsonl)
#   warmup_end_s, drain_start_s   optional: phase boundaries (seconds)
scriptdir = ""; do for [i=strlen(ARG0):1:-1] { if (scriptdir eq "" && ARG0[i:i] eq "/") { scriptdir = ARG0[1:i] } }
load scriptdir."common.gp"
load scriptdir."timeline_common.gp"
if (!exists("title")) title = "Throughput over time"

stats timeline using (column("t_s")):(column("intended") > column("acked") ? (column("intended") > column("consumed") ? column("intended") : column("consumed")) : (column("acked") > column("consumed") ? column("acked") : column("consumed"))) nooutput
tmax = STATS_max_x + 1
ytop = STATS_max_y > 0 ? 1.18 * STATS_max_y : 1
stats timeline using (column("errors")) nooutput
has_errors = STATS_max > 0 ? 1 : 0
ylo = 0; yhi = ytop; logy = 0

set title title
set xlabel "Time (s)"
set ylabel "Throughput (msg/s)"
eval count_tics("y", yhi)
set xrange [0:tmax]
set yrange [ylo:yhi]
if (has_errors) {
  set y2label "Errors (per s)" tc rgb C_RED
  set y2range [0:ceil(1.18 * STATS_max)]
  set y2tics nomirror tc rgb C_RED
  eval count_tics("y2", ceil(1.18 * STATS_max))
  set ytics nomirror
}
eval phase_shading
band_min_s = tmax / 300.0

# Errors on the right axis, only when there are any (an empty y2 axis
# makes gnuplot warn).
ERRORS = !has_errors ? '' : ', timeline using (column("t_s") + 0.5):(column("errors") > 0 ? column("errors") : NaN) axes x1y2 with impulses lw 3 lc rgb C_RED title "errors (right axis)"'

do for [fmt in formats] {
  eval set_terminal(fmt)
  plot @BANDS \
       timeline using (column("t_s") + 0.5):(column("intended")) with lines lw 1.2 dt 2 lc rgb C_GRAY title "intended", \
       timeline using (column("t_s") + 0.5):(column("acked")) with lines lw 1.5 lc rgb C_BLUE title "produced (acked)", \
       timeline using (column("t_s") + 0.5):(column("consumed")) with lines lw 1.5 dt 2 lc rgb C_GREEN title "consumed" @ERRORS
}
