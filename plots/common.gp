# common.gp: what every streamproof plot shares. Loaded by each plot script
# (never run on its own): the colours of ../shared/pictures, fonts, grid,
# key, the fault-band colours, helpers for timeline.csv cells, and the
# checks of the parameters every script takes.
#
# Parameters (gnuplot -e "name='value'; ..." before the script name):
#   out      required: output path WITHOUT extension; writes <out>.png and <out>.svg
#   formats  optional: "png svg" (default), "png" or "svg"
#   title    optional: the plot's title (each script has a default)
#   width, height  optional: size in pixels (each script has a default)

if (!exists("out") || strlen(out) == 0) exit error "parameter out is missing: gnuplot -e \"out='DIR/name'\" SCRIPT (writes name.png and name.svg)"
if (!exists("formats")) formats = "png svg"

# The palette of the example pictures (matplotlib's tab10).
C_BLUE   = "#1f77b4"
C_ORANGE = "#ff7f0e"
C_GREEN  = "#2ca02c"
C_RED    = "#d62728"
C_PURPLE = "#9467bd"
C_BROWN  = "#8c564b"
C_PINK   = "#e377c2"
C_GRAY   = "#7f7f7f"
C_OLIVE  = "#bcbd22"
C_CYAN   = "#17becf"
PALETTE  = C_BLUE." ".C_RED." ".C_GREEN." ".C_ORANGE." ".C_PURPLE." ".C_BROWN." ".C_PINK." ".C_GRAY." ".C_OLIVE." ".C_CYAN
palette_color(i) = word(PALETTE, (i - 1) % words(PALETTE) + 1)

# Fault bands: orange at 25% over white, labels in a darker orange.
C_BAND      = C_ORANGE
C_BAND_TEXT = "#a04a00"
C_PHASE     = "#f2f2f2"

set encoding utf8
set border 31 lw 1 lc rgb "#000000"
set grid xtics ytics lw 0.8 lc rgb "#d9d9d9" dt 3
set tics out nomirror scale 0.8
set xtics mirror
set ytics mirror
set key top left noreverse Right box opaque samplen 4 spacing 1.1 width 1
set style fill solid 1.0 noborder
set title offset 0,-0.3

# A timeline.csv cell by column name: NaN when the cell is empty (no samples
# in that second), so a line breaks there instead of bridging the gap.
cell(name) = (strcol(name) eq "" ? NaN : column(name))

# y at fraction f (0 bottom .. 1 top) of [ylo, yhi], linear or logarithmic.
frac_y(f, ylo, yhi, logy) = logy ? exp(log(ylo) + (log(yhi) - log(ylo)) * f) : ylo + (yhi - ylo) * f

# Label height of fault band row r (rows keep neighbouring labels apart).
band_label_y(r, ylo, yhi, logy) = frac_y(0.955 - 0.055 * r, ylo, yhi, logy)

# Sets the terminal and output for format fmt ("png" or "svg").
# Usage inside a script:  do for [fmt in formats] { eval set_terminal(fmt) ; plot ... }
set_terminal(fmt) = (fmt eq "png") ? \
    sprintf("set terminal pngcairo size %d,%d noenhanced font 'DejaVu Sans,10' linewidth 1.2 background '#ffffff'; set output '%s.png'", W, H, out) : \
    (fmt eq "svg") ? \
    sprintf("set terminal svg size %d,%d dynamic noenhanced font 'DejaVu Sans,10' linewidth 1.2 background '#ffffff'; set output '%s.svg'", W, H, out) : \
    "print 'unknown format ".fmt." (png or svg)'; exit error 'bad formats'"

# The last component of a path.
basename(s) = strstrt(s, "/") ? basename(s[strstrt(s, "/") + 1:]) : s

# The top of a log y axis that leaves room for a key of n entries above data
# reaching ymax (the key sits top left, over the plot): the top decade at or
# the point where the data take at most 1 - f of the height.
log_top(ylo, ymax, n) = 10**((log10(ymax) - (0.04 + 0.036 * n) * log10(ylo)) / (1 - (0.04 + 0.036 * n)))

# Tics for a count axis from 0 to yhi: a 1-2-5 step, labelled "20k" style
# only where every label is exact (the step is a whole number of the unit
# the largest value is written in), else plain numbers.
nice_step(x) = (nice_m = 10**floor(log10(x)), nice_f = x / nice_m, \
                (nice_f < 1.5 ? 1 : nice_f < 3.5 ? 2 : nice_f < 7.5 ? 5 : 10) * nice_m)
count_tics(axis, yhi) = (ct_s = (yhi > 6 ? nice_step(yhi / 6.0) : 1), ct_u = 1000**floor(log10(yhi > 1 ? yhi : 1) / 3), \
    sprintf("set %stics %g; set format %s '%s'", axis, ct_s, axis, \
            ct_s >= ct_u ? "%.0s%c" : (yhi < 1e6 ? "%.0f" : "%.1s%c")))
