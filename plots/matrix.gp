# matrix.gp: the delivery-semantics matrix in one picture (`streamproof
# matrix`). Four panels; along x the faults (no fault, consumer crash, ...),
# in each group one bar per semantics:
#   top left      messages lost (never applied), % of the acked messages,
#                 each bar labelled with its count (labels run upwards, so
#                 neighbouring bars never share a line)
#   top right     messages delivered more than once (duplicated in the log or
#                 redelivered to the consumer), % of acked, labelled likewise
#   bottom left   end-to-end latency p99 (bars, log scale) and p50 (dots),
#                 labelled with the factor against the semantics' no-fault cell
#   bottom right  consume throughput (msg/s), labelled with its change against
#                 the no-fault cell
# A cell that did not run is marked n/a, failed or not run at its foot.
#
#   cd MATRIX && gnuplot -e "data='matrix-plot.csv'; out='matrix'; nfaults=4; nsem=3; \
#     faults='\"no fault\" \"consumer crash\" \"broker crash\" \"processor crash\"'; \
#     semantics='at_most_once at_least_once exactly_once'; sem_ids='0 1 2'; \
#     lost_max=9; rep_max=4; lat_lo=1; lat_hi=20000; tput_max=1000" ../../plots/matrix.gp
#
# Parameters (besides out, formats, title, width, height: common.gp):
#   data      matrix-plot.csv (streamproof matrix writes it): one row per cell,
#             fault_i, sem_i, sem_id, status, lost_pct(_min,_max), lost_label,
#             rep_pct(_min,_max), rep_label, p50, p99(_min,_max), p99_label,
#             tput(_min,_max), tput_label; empty = unknown
#   nfaults, nsem         the matrix's shape
#   faults    the fault columns' labels (gnuplot words, "double quoted")
#   semantics the rows' names; sem_ids their ids (0 at_most_once, 1
#             at_least_once, 2 exactly_once: the colour of each)
#   lost_max, rep_max, lat_lo, lat_hi, tput_max   the data's ranges
#   spread    1: draw [min..max] of repeated runs as error bars
scriptdir = ""; do for [i=strlen(ARG0):1:-1] { if (scriptdir eq "" && ARG0[i:i] eq "/") { scriptdir = ARG0[1:i] } }
load scriptdir."common.gp"
do for [p in "data nfaults nsem faults semantics sem_ids lost_max rep_max lat_lo lat_hi tput_max"] {
  if (!exists(p)) { exit error "parameter ".p." is missing (see the comment at the top of matrix.gp)" }
}
if (!exists("title")) title = "Delivery semantics x faults"
if (!exists("W")) W = exists("width") ? width : 1400
if (!exists("H")) H = exists("height") ? height : 1000
if (!exists("spread")) spread = 0
set datafile separator ","
set datafile columnheaders

# One colour per semantics, the same whichever rows a matrix has.
sem_rgb(id) = id == 0 ? 0xff7f0e : id == 1 ? 0x1f77b4 : 0x2ca02c
sem_color(id) = id == 0 ? C_ORANGE : id == 1 ? C_BLUE : C_GREEN

# Bars: the group of fault f is centred on x = f; semantics s is one slot.
slot = 0.8 / nsem
bar_half = slot * 0.42
xpos(f, s) = f + (s - (nsem - 1) / 2.0) * slot
X = "(xpos(column('fault_i'), column('sem_i')))"
top(m) = m > 0 ? m * 1.3 : 1
lost_top = top(lost_max)
rep_top = top(rep_max)
tput_top = tput_max > 0 ? tput_max * 1.3 : 1
lat_bottom = 10**floor(log10(lat_lo))
lat_top = 10**(ceil(log10(lat_hi)) + 0.6)
# Where a label or status goes: NaN hides it.
label_y(v, t) = v + 0.02 * t
# The top of a bar with its [min..max] whisker: labels start above both.
hi2(a, b) = (b == b && b > a) ? b : a
whisker_top(name) = spread ? hi2(cell(name), cell(name."_max")) : cell(name)
status_y(t) = strcol("status") eq "" ? NaN : 0.02 * t
status_y_log(b) = strcol("status") eq "" ? NaN : b * 1.15

# [min..max] of repeated runs as error bars: a plot element, or nothing.
errbars(v) = spread ? sprintf("data using %s:(cell('%s')):(cell('%s_min')):(cell('%s_max')) with yerrorbars lc rgb '#333333' lw 1.2 ps 0 notitle,", X, v, v, v) : ""
ERR_LOST_PCT = errbars("lost_pct")
ERR_REP_PCT = errbars("rep_pct")
ERR_P99 = errbars("p99")
ERR_TPUT = errbars("tput")

# The x axis: one tic per fault group, no grid lines between them.
set_fault_tics = "set xtics () scale 0; do for [i=1:nfaults] { set xtics add (word(faults, i) i - 1) }"

do for [fmt in formats] {
  eval set_terminal(fmt)
  set multiplot layout 2,2 title title font ",14" margins 0.06,0.98,0.07,0.89 spacing 0.08,0.12
  set xrange [-0.6:nfaults - 0.4]
  eval set_fault_tics
  set grid noxtics ytics
  set style fill solid 0.85 noborder
  # the semantics' colours once for the whole figure, under its title
  set key at screen 0.5, 0.955 center top horizontal reverse Left nobox samplen 1.5 width 4 maxrows 1

  # ---- lost ----
  set title "Lost: never applied (% of acked messages; label: count)"
  set ylabel "% of acked"
  set yrange [0:lost_top]
  set format y "%g"
  plot data using @X:(cell("lost_pct")):(@X - bar_half):(@X + bar_half):(0):(cell("lost_pct")):(sem_rgb(column("sem_id"))) \
         with boxxyerror lc rgb variable notitle, \
       @ERR_LOST_PCT \
       data using @X:(label_y(whisker_top("lost_pct"), lost_top)):(strcol("lost_label")) with labels rotate by 90 left font ",9" notitle, \
       data using @X:(status_y(lost_top)):(strcol("status")) with labels rotate by 90 left font ",9" tc rgb C_GRAY notitle, \
       for [i=1:nsem] NaN with boxes lc rgb sem_color(int(word(sem_ids, i))) title word(semantics, i)

  # ---- delivered more than once ----
  set title "Delivered more than once: duplicated + redelivered (% of acked; label: count)"
  set yrange [0:rep_top]
  unset key
  plot data using @X:(cell("rep_pct")):(@X - bar_half):(@X + bar_half):(0):(cell("rep_pct")):(sem_rgb(column("sem_id"))) \
         with boxxyerror lc rgb variable notitle, \
       @ERR_REP_PCT \
       data using @X:(label_y(whisker_top("rep_pct"), rep_top)):(strcol("rep_label")) with labels rotate by 90 left font ",9" notitle, \
       data using @X:(status_y(rep_top)):(strcol("status")) with labels rotate by 90 left font ",9" tc rgb C_GRAY notitle

  # ---- latency ----
  set title "End-to-end latency: p99 bars, p50 dots (ms, log; label: p99 against no fault)"
  set ylabel "ms"
  set logscale y 10
  set yrange [lat_bottom:lat_top]
  set format y "%g"
  set key inside top left reverse Left box opaque samplen 1.5 width 1
  plot data using @X:(cell("p99")):(@X - bar_half):(@X + bar_half):(lat_bottom):(cell("p99")):(sem_rgb(column("sem_id"))) \
         with boxxyerror lc rgb variable notitle, \
       @ERR_P99 \
       data using @X:(cell("p50")) with points pt 7 ps 0.9 lc rgb "#222222" title "p50", \
       data using @X:(whisker_top("p99") * 1.25):(strcol("p99_label")) with labels rotate by 90 left font ",9" notitle, \
       data using @X:(status_y_log(lat_bottom)):(strcol("status")) with labels rotate by 90 left font ",9" tc rgb C_GRAY notitle
  unset logscale y

  # ---- throughput ----
  set title "Consume throughput (msg/s; label: change against no fault)"
  set ylabel "msg/s"
  set yrange [0:tput_top]
  eval count_tics("y", tput_top)
  unset key
  plot data using @X:(cell("tput")):(@X - bar_half):(@X + bar_half):(0):(cell("tput")):(sem_rgb(column("sem_id"))) \
         with boxxyerror lc rgb variable notitle, \
       @ERR_TPUT \
       data using @X:(label_y(whisker_top("tput"), tput_top)):(strcol("tput_label")) with labels rotate by 90 left font ",9" notitle, \
       data using @X:(status_y(tput_top)):(strcol("status")) with labels rotate by 90 left font ",9" tc rgb C_GRAY notitle
  unset multiplot
  set format y "%g"
  set key
}
