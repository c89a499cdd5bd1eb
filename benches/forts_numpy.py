"""Smith and Stam's random-walk war ("forts") as an analyst might write it in vectorised NumPy:
the comparison truce's speed claim on scenarios/validation/forts.toml is measured against.

Positions 0 … N, the front starts at k, each month one battle won by the attacker with chance p;
a war ends at 0 or N, or at the horizon. All rollouts step together, one array operation a
month, until every war has ended. Prints the time it took (the whole process is timed by
benches/compare.sh), the share the attacker won and the mean duration, with their exact values
(the gambler's ruin), so the two programs can be seen to do the same work.

    python3 benches/forts_numpy.py [ROLLOUTS] [N] [K] [P] [HORIZON]
"""

import sys
import time

import numpy as np


def forts(n, positions, start, p, horizon, seed=1):
    rng = np.random.default_rng(seed)
    pos = np.full(n, start, dtype=np.int64)
    ended_at = np.full(n, horizon, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    for month in range(1, horizon + 1):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        step = np.where(rng.random(idx.size) < p, 1, -1)
        pos[idx] += step
        done = (pos[idx] == 0) | (pos[idx] == positions)
        ended_at[idx[done]] = month
        alive[idx[done]] = False
    return pos, ended_at


def exact(positions, start, p):
    """P(reaching N from k) and the expected duration, for the gambler's ruin."""
    n, k = positions, start
    if p == 0.5:
        return k / n, k * (n - k)
    r = (1 - p) / p
    win = (1 - r**k) / (1 - r**n)
    return win, k / (1 - 2 * p) - n / (1 - 2 * p) * (1 - r**k) / (1 - r**n)


def main():
    args = sys.argv[1:]
    n = int(args[0]) if len(args) > 0 else 100_000
    positions = int(args[1]) if len(args) > 1 else 10
    start = int(args[2]) if len(args) > 2 else 5
    p = float(args[3]) if len(args) > 3 else 0.5
    horizon = int(args[4]) if len(args) > 4 else 1200
    t0 = time.perf_counter()
    pos, ended_at = forts(n, positions, start, p, horizon)
    seconds = time.perf_counter() - t0
    win, duration = exact(positions, start, p)
    print(f"numpy forts: {n} rollouts in {seconds:.3f} s (simulation only)")
    print(f"  attacker wins {np.mean(pos == positions):.4f} (exact {win:.4f}); "
          f"mean duration {ended_at.mean():.2f} months (exact {duration:.2f})")


if __name__ == "__main__":
    main()
