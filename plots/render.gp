# render.gp - render every figure of this run: PNG (slides) and SVG (print).
#
#     cd RESULTS/plots && gnuplot render.gp
#     gnuplot -e "formats='png'" render.gp       # only PNG
#
# run.gp holds this run's facts (written by rdsim from ../summary.json and
# ../timeseries.csv); each <figure>.gp draws one figure from them.
load 'run.gp'
if (!exists('formats')) formats = 'png svg'

figures = ''
if (strlen(latency_cols) > 0) { figures = 'latency availability throughput' }
if (strlen(role_cols) > 0) { figures = figures.' roles' }
if (strlen(lag_cols) > 0) { figures = figures.' lag' }
if (strlen(acu_cols) > 0) { figures = figures.' capacity' }

do for [f in figures] {
    do for [fmt in formats] {
        if (fmt eq 'png') {
            set terminal pngcairo size 1280,720 font 'DejaVu Sans,14' background '#ffffff'
        } else {
            set terminal svg size 1280,720 font 'DejaVu Sans,14' background '#ffffff'
        }
        set output f.'.'.fmt
        load f.'.gp'
        unset output
    }
}
