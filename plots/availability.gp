# availability.gp - per endpoint and kind, attempt success: the share of
# attempts that succeeded in each interval, 100% in calm times, 0% while
# clients get only timeouts and refused connections. An interval in which
# nothing was answered although the workload sent operations counts as 0%.
# Under the lines, strips along the bottom mark the endpoints' down windows
# (uptime: writer vermillion, reader blue), and a green band after each
# failover runs from the first to the last client writing again (dotted:
# the median client), the clients' DNS caches.
reset
load 'run.gp'
load 'style.gp'
set label 901 'Attempt success per endpoint; strips: uptime down; band: clients back' at screen 0.5, screen 1 offset 0, char -1.4 center font ',18'
set ylabel 'attempts that succeeded'
# A little below 0%, so that a line at 0% stays visible above the axis.
set yrange [-3 : 100 / (1 - marks_room)]
set ytics 0, 25, 100
set format y '%g%%'

load 'availability-marks.gp'

offered(s) = column('offered_'.series_kind(s).'s_per_s')
# ok / (ok + failed attempts); 0 when operations were sent but none answered.
success(s) = (av_ok = column(s.'s_ok'), av_err = column(s.'_errors'), \
              av_ok + av_err > 0 ? 100.0 * av_ok / (av_ok + av_err) : \
              offered(s) > 0 ? 0 : NaN)

plot for [s in latency_cols] ts using 1:(success(s)) with lines lw 2.5 lc rgb series_rgb(s) \
         title series_name(s)
