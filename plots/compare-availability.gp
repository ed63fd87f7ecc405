# compare-availability.gp - the share of attempts that succeeded in each
# interval, for two runs: run A blue, run B vermillion; writes solid, reads
# dashed. An interval in which operations were sent and none was answered
# counts as 0%.
reset
load 'run.gp'
load 'style.gp'
set label 901 'Availability: A against B' at screen 0.5, screen 1 offset 0, char -1.4 center font ',18'
set ylabel 'attempts that succeeded'
set yrange [-3 : 100 / (1 - marks_room)]
set ytics 0, 25, 100
set format y '%g%%'

kind_dt(s) = series_kind(s) eq 'write' ? 1 : 2
offered(s) = column('offered_'.series_kind(s).'s_per_s')
success(s) = (av_ok = column(s.'s_ok'), av_err = column(s.'_errors'), \
              av_ok + av_err > 0 ? 100.0 * av_ok / (av_ok + av_err) : \
              offered(s) > 0 ? 0 : NaN)

plot for [s in latency_cols] ts_a using 1:(success(s)) with lines lw 2.5 dt kind_dt(s) \
         lc rgb run_a_rgb title 'A: '.series_name(s), \
     for [s in latency_cols] ts_b using 1:(success(s)) with lines lw 2.5 dt kind_dt(s) \
         lc rgb run_b_rgb title 'B: '.series_name(s)
