# latency_percentiles.gp: HdrHistogram-style latency by percentile.
#
# x = 1/(1-p) on a log axis labelled 50% .. 99.9999%, y = latency in ms on
# a log axis, one curve per .hgrm file (HdrHistogram percentile distribution,
# column 4 against column 1; the text header, the #[...] footer and the
# final "inf" row are not numbers and gnuplot skips them).
#
#   gnuplot -e "dir='results/RUN'; out='/tmp/latency'" plots/latency_percentiles.gp
#   gnuplot -e "files='a/e2e.hgrm b/e2e.hgrm'; titles='\"run a\" \"run b\"'; out='/tmp/e2e'" plots/latency_percentiles.gp
#
# Parameters (besides out, formats, title, width, height: common.gp):
#   dir      a results folder: plots its publish and e2e files, corrected
#            (solid) and uncorrected (dashed)
#   files    OR a list of .hgrm paths (words; quote a path with spaces)
#   titles   legend entry per file (words, "double quoted" for spaces);
#            default: the file names
#   colors   colour per file ("#rrggbb" words); default: the palette in turn
#   dashes   dash type per file (1 solid, 2 dashed, 3 dotted); default 1
#   xmax     right end of the x axis as 1/(1-p) (e.g. 1e5 = 99.999%);
#            default: up to the data
scriptdir = ""; do for [i=strlen(ARG0):1:-1] { if (scriptdir eq "" && ARG0[i:i] eq "/") { scriptdir = ARG0[1:i] } }
load scriptdir."common.gp"

if (exists("dir") && !exists("files")) {
  files  = sprintf('"%s/publish.hgrm" "%s/publish-uncorrected.hgrm" "%s/e2e.hgrm" "%s/e2e-uncorrected.hgrm"', dir, dir, dir, dir)
  titles = '"publish" "publish, uncorrected" "end to end" "end to end, uncorrected"'
  colors = C_BLUE." ".C_BLUE." ".C_RED." ".C_RED
  dashes = "1 2 1 2"
}
if (!exists("files") || words(files) == 0) exit error "parameter files (or dir) is missing: the .hgrm files to plot"
n = words(files)
if (!exists("titles")) titles = ""
if (!exists("colors")) colors = ""
if (!exists("dashes")) dashes = ""
curve_title(i) = (i <= words(titles)) ? word(titles, i) : basename(word(files, i))
curve_color(i) = (i <= words(colors)) ? word(colors, i) : palette_color(i)
curve_dash(i)  = (i <= words(dashes)) ? int(word(dashes, i)) : 1
if (!exists("title")) title = "Latency by percentile (HdrHistogram-style)"
if (!exists("W")) W = exists("width") ? width : 1000
if (!exists("H")) H = exists("height") ? height : 600

set title title
set xlabel "Percentile"
set ylabel "Latency (ms)"
set logscale x 10
set logscale y 10
set xtics ("50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000, "99.9999%%" 1000000, "99.99999%%" 10000000)
set mxtics 10
set format y "%g"
if (exists("xmax")) { set xrange [1:xmax] } else { set xrange [1:*] }

# y range: whole decades around the data, with room for the key on top.
ymin = 1e300; ymax = 0
do for [i=1:n] {
  stats word(files, i) using ($1 > 0 ? $1 : NaN) nooutput
  if (STATS_records > 0) { ymin = (STATS_min < ymin) ? STATS_min : ymin; ymax = (STATS_max > ymax) ? STATS_max : ymax }
}
if (ymax > 0) {
  ylo = 10**floor(log10(ymin))
  set yrange [ylo:log_top(ylo, ymax, n)]
}

do for [fmt in formats] {
  eval set_terminal(fmt)
  plot for [i=1:n] word(files, i) using 4:1 with lines lw 1.5 lc rgb curve_color(i) dt curve_dash(i) title curve_title(i)
}
