# timeline_runs.gp: one timeline.csv column over time for several runs,
# overlaid (the report of several results folders): throughput acked per
# second, or end-to-end p99 per second on a log axis.
#
#   gnuplot -e "files='a/timeline.csv b/timeline.csv'; titles='a b'; column='acked'; out='/tmp/acked'" plots/timeline_runs.gp
#
# Parameters (besides out, formats, title, width, height: common.gp):
#   files    the timeline.csv of each run (words; quote paths with spaces)
#   titles   legend entry per run (words, "double quoted" for spaces)
#   column   the timeline.csv column to plot (default acked)
#   ylabel   the y axis label (default: the column's name)
#   logy     1 for a log y axis (latencies); empty cells leave gaps
scriptdir = ""; do for [i=strlen(ARG0):1:-1] { if (scriptdir eq "" && ARG0[i:i] eq "/") { scriptdir = ARG0[1:i] } }
load scriptdir."common.gp"
if (!exists("files") || words(files) == 0) exit error "parameter files is missing: the timeline.csv of each run"
n = words(files)
if (!exists("titles")) titles = ""
if (!exists("column")) column = "acked"
if (!exists("ylabel")) ylabel = column
if (!exists("logy")) logy = 0
if (!exists("title")) title = column." over time"
if (!exists("W")) W = exists("width") ? width : 1100
if (!exists("H")) H = exists("height") ? height : 500
run_title(i) = (i <= words(titles)) ? word(titles, i) : basename(word(files, i))
set datafile separator ","
set datafile columnheaders
pos(v) = (v > 0 ? v : NaN)

tmax = 1; ymin = 1e300; ymax = 0
do for [i=1:n] {
  stats word(files, i) using (column("t_s")):(logy ? pos(cell(column)) : cell(column)) nooutput
  if (STATS_records > 0) {
    tmax = (STATS_max_x + 1 > tmax) ? STATS_max_x + 1 : tmax
    ymin = (STATS_min_y < ymin) ? STATS_min_y : ymin
    ymax = (STATS_max_y > ymax) ? STATS_max_y : ymax
  }
}
if (ymax <= 0) { ymax = 1; ymin = 1 }

set title title
set xlabel "Time (s)"
set ylabel ylabel
set xrange [0:tmax]
if (logy) {
  set logscale y 10
  set format y "%g"
  ylo = 10**floor(log10(ymin))
  set yrange [ylo:log_top(ylo, ymax, n)]
} else {
  yhi = 1.18 * ymax
  set yrange [0:yhi]
  eval count_tics("y", yhi)
}

do for [fmt in formats] {
  eval set_terminal(fmt)
  plot for [i=1:n] word(files, i) using (column("t_s") + 0.5):(logy ? pos(cell(column)) : cell(column)) \
       with lines lw 1.5 lc rgb palette_color(i) title run_title(i)
}
