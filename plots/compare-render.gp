# compare-render.gp - render the comparison of two runs: PNG and SVG.
#
#     cd COMPARE-FOLDER && gnuplot compare-render.gp
#
# run.gp names the two runs (A and B) and their data (a.csv, b.csv).
load 'run.gp'
if (!exists('formats')) formats = 'png svg'

do for [f in 'compare-latency compare-availability'] {
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
