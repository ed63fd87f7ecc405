# throughput.gp - operations per second per endpoint and kind: those that
# succeeded (solid), those whose clients gave up (dotted, after their
# retries ran out), and what the workload offered (grey dashed).
reset
load 'run.gp'
load 'style.gp'
set label 901 'Throughput: operations per second' at screen 0.5, screen 1 offset 0, char -1.4 center font ',18'
set ylabel 'operations/s'
set yrange [0:*]
# marks_room of the height, above the data: f of the range is f / (1 - f) of it.
set offsets 0, 0, graph marks_room / (1 - marks_room), 0

per_s(c) = column(c) / run_interval_s
# The offered rate of each kind once, even when two endpoints share it.
offered_kinds = ''
do for [s in latency_cols] {
    if (strstrt(offered_kinds, series_kind(s)) == 0) {
        offered_kinds = offered_kinds.' '.series_kind(s)
    }
}

plot for [s in latency_cols] ts using 1:(per_s(s.'s_ok')) with lines lw 2.5 \
         lc rgb series_rgb(s) title series_name(s).', succeeded', \
     for [s in latency_cols] ts using 1:(per_s(s.'s_failed')) with lines lw 2 dt 3 \
         lc rgb series_rgb(s) title series_name(s).', gave up', \
     for [k in offered_kinds] ts using 1:'offered_'.k.'s_per_s' with lines lw 1.5 dt 2 \
         lc rgb offered_rgb title k.'s offered'
