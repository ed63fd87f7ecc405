#!/usr/bin/python3
"""The engine benchmark's hold model in SimPy, for comparison with
tests/engine/bench_sim: PENDING processes, each waiting a uniformly drawn
delay (mean 1 ms) again and again, so PENDING timeouts are always pending.
Prints events per second of CPU time, as bench_sim does (one event: one
timeout that fires).

Usage: engine_simpy.py [PENDING [EVENTS]]   (defaults 1000 and 2000000)
Needs Debian's python3-simpy3; run by tools/bench.sh when it is installed."""
import random
import sys
import time

import simpy


def main():
    pending = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 2000000
    env = simpy.Environment()
    rng = random.Random(1)
    fired = [0]

    def timer(env):
        while True:
            yield env.timeout(1 + rng.randrange(2000000))
            fired[0] += 1

    for _ in range(pending):
        env.process(timer(env))
    t0 = time.process_time()
    horizon = 0
    while fired[0] < events:
        horizon += 10000000
        env.run(until=horizon)
    cpu = time.process_time() - t0
    print("simpy %s: %d pending, %d events in %.3f s of CPU: %.2f M events/s"
          % (simpy.__version__, pending, fired[0], cpu, fired[0] / cpu / 1e6))


if __name__ == "__main__":
    main()
