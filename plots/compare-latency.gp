# compare-latency.gp - p99 latency of two runs on one log axis: run A blue,
# run B vermillion; writes solid, reads dashed. Where one line stops and
# the other goes on, one design recovered and the other did not.
reset
load 'run.gp'
load 'style.gp'
set label 901 'Latency p99: A against B' at screen 0.5, screen 1 offset 0, char -1.4 center font ',18'
set ylabel 'p99 latency (log scale)'
set logscale y

p99(s) = cell(s.'_p99_ms')
kind_dt(s) = series_kind(s) eq 'write' ? 1 : 2

set table $unused
plot for [s in latency_cols] ts_a using 1:(p99(s)), \
     for [s in latency_cols] ts_b using 1:(p99(s)), 1
unset table
lat_lo = floor(log10(GPVAL_DATA_Y_MIN))
lat_hi = ceil(log10(GPVAL_DATA_Y_MAX))
lat_hi = lat_hi > lat_lo ? lat_hi : lat_lo + 1
set yrange [10.0**lat_lo : 10.0**(lat_lo + (lat_hi - lat_lo) / (1 - marks_room))]
decade(d) = d < 0 ? sprintf('%g µs', 10.0**(d + 3)) : \
            d < 3 ? sprintf('%g ms', 10.0**d) : sprintf('%g s', 10.0**(d - 3))
set ytics ()
do for [d = lat_lo:lat_hi] { set ytics add (decade(d) 10.0**d) }
set mytics 10

plot for [s in latency_cols] ts_a using 1:(p99(s)) with lines lw 2.5 dt kind_dt(s) \
         lc rgb run_a_rgb title 'A: '.series_name(s), \
     for [s in latency_cols] ts_b using 1:(p99(s)) with lines lw 2.5 dt kind_dt(s) \
         lc rgb run_b_rgb title 'B: '.series_name(s)
