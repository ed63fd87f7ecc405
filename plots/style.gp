# style.gp - the look every rdsim figure shares, loaded first by each one.
#
# Sized for a projector: 1280x720 with 14 pt text (render.gp sets the
# terminal). Colours are the Okabe-Ito set, readable by colour-blind
# viewers: writes vermillion, reads blue, faults red, failover phases
# dark slate. Edit here to restyle every figure at once.

set encoding utf8
# Instance and scenario names hold '_' and '-': print them as written.
set termoption noenhanced
set datafile separator ','

set border 3 lw 1.5 lc rgb '#555555'
set tics nomirror out scale 0.6
set grid xtics ytics lc rgb '#dddddd' lw 1 dt 1
set key below horizontal center maxcols 2 samplen 3 spacing 1.1 width 1
# Fixed side margins: every time plot has the same x axis, so figures
# stacked on a slide line up (and run.gp's label rows stay valid).
set lmargin 13
set rmargin 6
set tmargin 5.5

fault_rgb = '#c0392b'
phase_rgb = '#2c3e50'
write_rgb = '#d55e00'
read_rgb = '#0072b2'
# Reads via the writer endpoint: far from the writes' vermillion.
writer_read_rgb = '#cc79a7'
offered_rgb = '#888888'
resume_rgb = '#009e73'
# Snapshots and restores: operations, not faults.
backup_rgb = '#6a3d9a'
# A comparison's two runs.
run_a_rgb = '#0072b2'
run_b_rgb = '#d55e00'
# One colour per instance, in the scenario's order.
instance_rgbs = '#0072b2 #d55e00 #009e73 #cc79a7 #e69f00 #56b4e9 #000000 #999999'
instance_rgb(i) = word(instance_rgbs, (i - 1) % words(instance_rgbs) + 1)

# A cell of timeseries.csv as a number; NaN when empty (no successful
# operation in the interval), which breaks the line instead of bridging it.
cell(c) = strcol(c) eq '' ? NaN : column(c)

# Series names are <endpoint>_<kind>: writer_write, reader_read, writer_read.
series_kind(s) = s[strstrt(s, '_') + 1:]
series_endpoint(s) = s[1:strstrt(s, '_') - 1]
series_name(s) = series_kind(s).'s via the '.series_endpoint(s).' endpoint'
series_rgb(s) = series_kind(s) eq 'write' ? write_rgb : \
                series_endpoint(s) eq 'writer' ? writer_read_rgb : read_rgb

# Room above the data for run.gp's labels: their rows, as a fraction of the
# plot's height (a text row is about 4.5% of it at this size).
marks_room = marks_rows > 0 ? (0.6 + 1.25 * marks_rows) * 0.045 : 0.02

# Time axis: whole minutes when the run is long enough to need them.
set xlabel 'simulated time (s)'
set xrange [0:run_end_s]
x_step = run_end_s <= 60 ? 10 : run_end_s <= 180 ? 20 : run_end_s <= 600 ? 60 : \
         run_end_s <= 1800 ? 300 : 600
set xtics 0, x_step

# The figure's title (set by each script) and, under it, what reproduces it.
set label 900 run_title at screen 0.5, screen 1 offset 0, char -3.0 center \
    font ',12' tc rgb '#555555'

# The run's faults and failover phases (written by rdsim with the run).
load 'marks.gp'
