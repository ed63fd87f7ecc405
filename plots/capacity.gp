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
set y2range [0:*]
set offsets 0, 0, graph marks_room, 0
set ytics nomirror
set y2tics tc rgb offered_rgb
set rmargin 12

plot for [i = 1:words(acu_cols)] ts using 1:(cell('acu_'.word(acu_cols, i))) with steps \
         lw 2.5 lc rgb instance_rgb(i) title word(acu_cols, i).' (ACU)', \
     ts using 1:(column('offered_reads_per_s') + column('offered_writes_per_s')) axes x1y2 \
         with lines lw 1.5 dt 2 lc rgb offered_rgb title 'offered reads + writes/s'
