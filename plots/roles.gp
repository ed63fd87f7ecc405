# roles.gp - who is what over time: one lane per instance, coloured by its
# role in each interval. A failover reads at a glance: the old writer's
# lane turns from green to red, the promoted instance's to green.
reset
load 'run.gp'
load 'style.gp'
set label 901 'Instance roles over time' at screen 0.5, screen 1 offset 0, char -1.4 center font ',18'
set grid noytics

role_rgb(r) = r eq 'writer' ? 0x009e73 : r eq 'standby' ? 0x56b4e9 : \
              r eq 'replica' ? 0xcc79a7 : r eq 'down' ? 0xd62728 : \
              r eq 'starting' ? 0xe69f00 : r eq 'detached' ? 0x999999 : \
              r eq 'creating' ? 0xf0e442 : r eq 'standalone' ? 0x0072b2 : \
              r eq 'absent' ? 0xffffff : 0x000000
# An instance created during the run (a restore) is white (absent) until it exists.
roles = 'writer standby replica starting down detached creating standalone'

# First instance on top, as in the scenario file.
n = words(role_cols)
lane(i) = n - i + 1
set yrange [0.4 : n + 0.6 + (n + 0.2) * marks_room / (1 - marks_room)]
set ytics ()
do for [i = 1:n] { set ytics add (word(role_cols, i) lane(i)) }
set tics scale 0, 0.6

# Each row's box spans its interval and the next one; the next row's box,
# drawn later, covers that second half. Overlapping this much leaves no
# anti-aliased seam between intervals.
plot for [i = 1:n] ts using 1:(lane(i)):(run_interval_s):(0.32) \
         :(role_rgb(strcol('role_'.word(role_cols, i)))) \
         with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
     for [r in roles] NaN with boxes fs solid 1.0 noborder lc rgb role_rgb(r) title r
