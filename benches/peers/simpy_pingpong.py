"""The engine ping-pong in SimPy, for comparison with `cargo bench --bench
engine`: two processes answering each other one time unit later.

    pip install simpy==4.1.2 && python3 benches/peers/simpy_pingpong.py
"""

import time

import simpy

EVENTS = 1_000_000


def player(env, inbox, outbox, count):
    while count[0] < EVENTS:
        yield inbox.get()
        yield env.timeout(1)
        count[0] += 1
        outbox.put(1)


def main():
    runs = []
    for _ in range(5):
        env = simpy.Environment()
        a, b = simpy.Store(env), simpy.Store(env)
        count = [0]
        env.process(player(env, a, b, count))
        env.process(player(env, b, a, count))
        a.put(1)
        start = time.perf_counter()
        env.run()
        elapsed = time.perf_counter() - start
        runs.append((elapsed, next(env._eid)))
    runs.sort()
    median, scheduled = runs[len(runs) // 2]
    # Each exchange is a timeout plus a store hand-over (a get and a put
    # event): SimPy's own event count is its scheduling counter.
    print(
        f"simpy {simpy.__version__}: {EVENTS} exchanges, {scheduled} events scheduled, median {median:.3f}s: "
        f"{scheduled / median / 1e6:.2f} M events/s ({EVENTS / median / 1e6:.2f} M exchanges/s)"
    )


if __name__ == "__main__":
    main()
