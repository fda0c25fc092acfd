# timeline_common.gp: what the plots over time share (loaded after
# common.gp): the timeline.csv input, the optional fault bands file, the
# default size, and the shading of the warm-up and drain phases.
if (exists("dir") && !exists("timeline")) timeline = dir."/timeline.csv"
if (!exists("timeline")) exit error "parameter timeline (or dir) is missing: the timeline.csv to plot"
has_bands = (exists("bands") && strlen(bands) > 0) ? 1 : 0
if (!exists("W")) W = exists("width") ? width : 1100
if (!exists("H")) H = exists("height") ? height : 500
set datafile separator ","
set datafile columnheaders

# Warm-up [0, warmup_end_s) and drain [drain_start_s, end) in light grey,
# named at the bottom; run with `eval phase_shading` after the x range is set.
phase_shading = ""
if (exists("warmup_end_s") && warmup_end_s > 0) \
  phase_shading = phase_shading . sprintf("set object 90 rectangle from 0, graph 0 to %g, graph 1 behind fc rgb C_PHASE fs solid 1.0 noborder; set label 90 'warm-up' at %g, graph 0.03 center tc rgb '#808080' font ',9';", warmup_end_s, warmup_end_s / 2.0)
if (exists("drain_start_s") && drain_start_s > 0) \
  phase_shading = phase_shading . sprintf("set object 91 rectangle from %g, graph 0 to graph 1, graph 1 behind fc rgb C_PHASE fs solid 1.0 noborder; set label 91 'drain' at graph 0.995, graph 0.03 right tc rgb '#808080' font ',9';", drain_start_s)
