# timeline_common.gp: what the plots over time share (loaded after
# common.gp): the timeline.csv input, the optional fault bands file, the
# default size, and the shading of the warm-up and drain phases.
if (exists("dir") && !exists("timeline")) timeline = dir."/timeline.csv"
if (!exists("timeline")) exit error "parameter timeline (or dir) is missing: the timeline.csv to plot"
if (!exists("bands")) bands = ""
has_bands = strlen(bands) > 0 ? 1 : 0
if (!exists("W")) W = exists("width") ? width : 1100
if (!exists("H")) H = exists("height") ? height : 500
set datafile separator ","
set datafile columnheaders
# The key goes below the plot in one row: inside, it would hide the labels
# of faults early in the run.
set bmargin 5
set key at screen 0.5, screen 0.015 center bottom horizontal reverse Left samplen 3 spacing 1 width 1 nobox maxrows 1

# Warm-up [0, warmup_end_s) and drain [drain_start_s, end) in light grey,
# named at the bottom; run with `eval phase_shading` after the x range is set.
phase_shading = ""
if (exists("warmup_end_s") && warmup_end_s > 0) \
  phase_shading = phase_shading . sprintf("set object 90 rectangle from 0, graph 0 to %g, graph 1 behind fc rgb C_PHASE fs solid 1.0 noborder; set label 90 'warm-up' at %g, graph 0.03 center tc rgb '#808080' font ',9';", warmup_end_s, warmup_end_s / 2.0)
if (exists("drain_start_s") && drain_start_s > 0) \
  phase_shading = phase_shading . sprintf("set object 91 rectangle from %g, graph 0 to graph 1, graph 1 behind fc rgb C_PHASE fs solid 1.0 noborder; set label 91 'drain' at graph 0.995, graph 0.03 right tc rgb '#808080' font ',9';", drain_start_s)

# The fault bands and their labels, as the first elements of a plot command
# (`plot @BANDS timeline using ...`): each band spans the whole y range
# [ylo, yhi] (set by the script before the plot), at least band_min_s wide
# so a fault that lasted a few milliseconds still shows; its label sits in
# the band's label row near the top, centred at label_s (fault_bands.h; a
# row of -1 draws no label). Nothing without bands.
band_end(s, e) = (e - s < band_min_s) ? s + band_min_s : e
BANDS = !has_bands ? '' : 'bands using (($1 + band_end($1, $2)) / 2):(ylo):1:(band_end($1, $2)):(ylo):(yhi) with boxxyerror fs transparent solid 0.25 noborder lc rgb C_BAND title "fault injected", bands using (valid(5) ? $5 : ($1 + band_end($1, $2)) / 2):($4 < 0 ? NaN : band_label_y($4, ylo, yhi, logy)):3 with labels tc rgb C_BAND_TEXT font ",9" notitle,'
