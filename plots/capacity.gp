# capacity.gp - Aurora Serverless v2: each instance's capacity in ACUs
# (solid, left axis) against the load the workload offered (grey dashed,
# right axis): the capacity follows the load, a little behind it.
reset
load 'run.gp'
load 'style.gp'
set label 901 'Serverless v2 capacity and offered load' at screen 0.5, screen 1 offset 0, char -1.4 center font ',18'
set ylabel 'capacity (ACU)'
set y2label 'offered operations/s' tc rgb offered_rgb
set yrange [0:*]
# The offered load's axis keeps the same room for the labels as the ACUs'.
offered_total(x) = column('offered_reads_per_s') + column('offered_writes_per_s')
set table $unused
plot ts using 1:(offered_total(0))
unset table
set y2range [0 : (GPVAL_DATA_Y_MAX > 0 ? GPVAL_DATA_Y_MAX : 1) * 1.05 / (1 - marks_room)]
# marks_room of the height, above the data: f of the range is f / (1 - f) of it.
set offsets 0, 0, graph marks_room / (1 - marks_room), 0
set ytics nomirror
set y2tics tc rgb offered_rgb
set rmargin 12

plot for [i = 1:words(acu_cols)] ts using 1:(cell('acu_'.word(acu_cols, i))) with steps \
         lw 2.5 lc rgb instance_rgb(i) title word(acu_cols, i).' (ACU)', \
     ts using 1:(offered_total(0)) axes x1y2 \
         with lines lw 1.5 dt 2 lc rgb offered_rgb title 'offered reads + writes/s'
