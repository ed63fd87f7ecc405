# latency.gp - latency of every operation, per endpoint and kind, a failed
# one at the time its client gave up: p99 solid, p50 dashed, on a log scale
# so that a 3 ms commit and a 30 s retried write fit on one axis. A gap is
# an interval in which no operation of that kind ended.
reset
load 'run.gp'
load 'style.gp'
set label 901 'Latency of every operation, failed ones at give-up (p99 solid, p50 dashed)' at screen 0.5, screen 1 offset 0, char -1.4 center font ',18'
set ylabel 'latency (log scale)'
set logscale y

p99(s) = cell(s.'_p99_ms')
p50(s) = cell(s.'_p50_ms')

# First pass, into a table: the data's range. The constant 1 ms keeps the
# pass valid when no operation succeeded at all.
set table $unused
plot for [s in latency_cols] ts using 1:(p99(s)), \
     for [s in latency_cols] ts using 1:(p50(s)), 1
unset table
lat_lo = floor(log10(GPVAL_DATA_Y_MIN))
lat_hi = ceil(log10(GPVAL_DATA_Y_MAX))
lat_hi = lat_hi > lat_lo ? lat_hi : lat_lo + 1
# Decades of data, then room for the labels of the faults and the phases.
set yrange [10.0**lat_lo : 10.0**(lat_lo + (lat_hi - lat_lo) / (1 - marks_room))]
# One tic per decade, named in the unit that reads best.
decade(d) = d < 0 ? sprintf('%g µs', 10.0**(d + 3)) : \
            d < 3 ? sprintf('%g ms', 10.0**d) : sprintf('%g s', 10.0**(d - 3))
set ytics ()
do for [d = lat_lo:lat_hi] { set ytics add (decade(d) 10.0**d) }
set mytics 10

plot for [s in latency_cols] ts using 1:(p99(s)) with lines lw 2.5 lc rgb series_rgb(s) \
         title series_name(s).', p99', \
     for [s in latency_cols] ts using 1:(p50(s)) with lines lw 1.5 dt 2 lc rgb series_rgb(s) \
         title series_name(s).', p50'
