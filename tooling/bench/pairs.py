"""Same-run pairs: two ways of doing one thing timed alternately in one process (the machine's
noise hits both alike), in CPU seconds of the process. Example::

    line = compare({"base": old_encode, "branch": new_encode}, pairs=5, repeat=2000)
    print(f"20-case inbox answer: {line}")
"""
import os
import statistics
import time


def per_call(call, repeat):
    """CPU seconds of this process per call of ``call()``, over ``repeat`` calls."""
    started = time.process_time()
    for _ in range(repeat):
        call()
    return (time.process_time() - started) / repeat


def compare(sides, pairs, repeat):
    """``sides``: {"base": call, "branch": call}; each pair runs both (alternating which goes
    first). The medians and each pair's ratio, as one line, then the load average."""
    seen, ratios = {"base": [], "branch": []}, []
    for pair in range(pairs):
        order = ("base", "branch") if pair % 2 == 0 else ("branch", "base")
        spent = {side: per_call(sides[side], repeat) for side in order}
        for side, seconds in spent.items():
            seen[side].append(seconds)
        ratios.append(spent["branch"] / spent["base"])
    return (f"base {statistics.median(seen['base']) * 1e6:.0f} µs, branch "
            f"{statistics.median(seen['branch']) * 1e6:.0f} µs of this process's CPU; pairs "
            + ", ".join(f"{r:.2f}" for r in ratios)
            + f"\nload average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
