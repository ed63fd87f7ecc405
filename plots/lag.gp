# lag.gp - replication lag of every instance, each interval's maximum: the
# age of the oldest change its source shipped that it has not applied (0
# when in sync; a gap while it has no live source, as the writer). Drawn in
# ms, or in seconds when the lag reaches seconds.
reset
load 'run.gp'
load 'style.gp'
set label 901 'Replication lag per instance (interval maximum)' at screen 0.5, screen 1 offset 0, char -1.4 center font ',18'
set yrange [0:*]
# marks_room of the height, above the data: f of the range is f / (1 - f) of it.
set offsets 0, 0, graph marks_room / (1 - marks_room), 0

lag(n) = cell('lag_ms_'.n)
# First pass, into a table: the data's range. The constant 1 ms keeps the
# pass valid when every instance lags 0 (a synchronous standby in sync).
set table $unused
plot for [n in lag_cols] ts using 1:(lag(n)), 1
unset table
lag_div = GPVAL_DATA_Y_MAX >= 5000 ? 1000.0 : 1.0
# All within a millisecond: a fixed axis rather than an empty range.
if (GPVAL_DATA_Y_MAX <= 1) { set yrange [0:1] }
set ylabel lag_div > 1 ? 'replication lag (s)' : 'replication lag (ms)'

plot for [i = 1:words(lag_cols)] ts using 1:(lag(word(lag_cols, i)) / lag_div) with lines \
         lw 2 lc rgb instance_rgb(i) title word(lag_cols, i)
