"""Same-run before/after of the gateway's access-token check (``shared.tokens.verify``): the
base commit's module against the working tree's, alternately in one process, on two loads
(no assertions: it prints figures):

- **burst**: one token checked ``--checks`` times back to back (one cadre's visits, a page's
  several requests; the benchmark's load signs in one cadre, so this is its case);
- **distinct**: as many tokens, each checked once (many people each asking once: the memo's
  miss, which must cost what a check cost before).

CPU seconds of the process (``time.process_time``) per check; pairs alternate which side runs
first; the medians of the pairs are printed with each pair's ratio.

    .venv/bin/python -m tooling.bench.token_checks [--base 2c3627e] [--pairs 5] [--checks 2000]
"""
import argparse
import importlib.util
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from shared import tokens

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = "a-benchmark-token-key-0123456789-abcdefghij"
SCOPE = {"role": "cadre", "cadre_id": "tran-thi-binh", "authority_id": None,
         "authority_head": False}


def _base_module(commit, folder):
    source = subprocess.run(["git", "show", f"{commit}:shared/tokens.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    path = pathlib.Path(folder) / "tokens_base.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("tokens_base", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _per_check(module, tokens_to_check):
    started = time.process_time()
    for token in tokens_to_check:
        module.verify([KEY], token)
    return (time.process_time() - started) / len(tokens_to_check)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="2c3627e")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--checks", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sides = {"base": _base_module(args.base, folder), "branch": tokens}
        one, _ = tokens.issue(KEY, 3600, "u-1", 1, scope=SCOPE)
        loads = {"burst": [one] * args.checks,
                 "distinct": [tokens.issue(KEY, 3600, f"u-{i}", 1, scope=SCOPE)[0]
                              for i in range(args.checks)]}
        for load, checked in loads.items():
            ratios, seen = [], {"base": [], "branch": []}
            for pair in range(args.pairs):
                order = ("base", "branch") if pair % 2 == 0 else ("branch", "base")
                spent = {side: _per_check(sides[side], checked) for side in order}
                for side in spent:
                    seen[side].append(spent[side])
                ratios.append(spent["branch"] / spent["base"])
            print(f"{load}: base {statistics.median(seen['base']) * 1e6:.1f} µs, branch "
                  f"{statistics.median(seen['branch']) * 1e6:.1f} µs per check; pairs "
                  + ", ".join(f"{r:.2f}" for r in ratios), flush=True)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
