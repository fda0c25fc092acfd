# backlog.gp: consumer lag over the run: messages acknowledged but not yet
# consumed (timeline.csv "backlog": acked so far x subscriptions - consumed
# so far, at the end of each second), fault windows as translucent labelled
# bands, warm-up and drain shaded.
#
#   gnuplot -e "dir='results/RUN'; out='/tmp/backlog'" plots/backlog.gp
#
# Parameters (besides out, formats, title, width, height: common.gp):
#   dir or timeline, bands, warmup_end_s, drain_start_s   as in throughput.gp
scriptdir = ""; do for [i=strlen(ARG0):1:-1] { if (scriptdir eq "" && ARG0[i:i] eq "/") { scriptdir = ARG0[1:i] } }
load scriptdir."common.gp"
load scriptdir."timeline_common.gp"
if (!exists("title")) title = "Consumer backlog over time"

stats timeline using (column("t_s")):(column("backlog")) nooutput
tmax = STATS_max_x + 1
ylo = 0; yhi = STATS_max_y > 0 ? 1.18 * STATS_max_y : 1; logy = 0

set title title
set xlabel "Time (s)"
set ylabel "Backlog (messages)"
eval count_tics("y", yhi)
set xrange [0:tmax]
set yrange [ylo:yhi]
eval phase_shading
band_min_s = tmax / 300.0

do for [fmt in formats] {
  eval set_terminal(fmt)
  plot @BANDS \
       timeline using (column("t_s") + 1):(column("backlog")) with filledcurves y1=0 fs transparent solid 0.15 lc rgb C_PURPLE notitle, \
       timeline using (column("t_s") + 1):(column("backlog")) with lines lw 1.5 lc rgb C_PURPLE title "backlog (acked, not yet consumed)"
}
