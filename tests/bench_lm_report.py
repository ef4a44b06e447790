#!/usr/bin/env python3
"""bench_lm_report.py OUT PROJECT... - the summary of tests/bench_lm.sh: per project the best
known reward (the best of every run under OUT/PROJECT and OUT/PROJECT-long), then per strategy
the evaluations each seed needed to reach 95% of it (in the order the rounds evaluated them;
'-' when the budget ran out first), their median and quartiles, and for lm / lm-ttt the
author's counts (syntax errors, parser-invalid offers) per round."""
import csv, glob, json, os, statistics, sys

def runs(folder):
    """(name, rows) of every sweep with a results.csv under folder"""
    out = []
    for f in sorted(glob.glob(os.path.join(folder, "*", "results.csv"))):
        with open(f) as fh:
            rows = list(csv.DictReader(fh))
        out.append((os.path.basename(os.path.dirname(f)), rows))
    return out

def quart(xs):
    xs = sorted(xs)
    if not xs:
        return "-"
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return f"{q[1]:g} [{q[0]:g}, {q[2]:g}]"

def main():
    out, projects = sys.argv[1], sys.argv[2:]
    for p in projects:
        sweeps = runs(os.path.join(out, p))
        longs = runs(os.path.join(out, p + "-long"))
        best, where = -1.0, "-"
        for name, rows in sweeps + [("long " + n, r) for n, r in longs]:
            for r in rows:
                if float(r["reward"]) > best:
                    best, where = float(r["reward"]), name
        target = 0.95 * best
        budget = max((len(r) for _, r in sweeps), default=0)
        print(f"## {p}\n")
        print(f"best known reward {best:.4f} (found by {where}); target 95%: {target:.4f}; "
              f"budget {budget} evaluations per run\n")
        for n, r in longs:
            print(f"- long {n} run: {len(r)} evaluations, best {max(float(x['reward']) for x in r):.4f}")
        print("\n| strategy | seeds reaching | evaluations to 95% (median [q1, q3]) | min-max | "
              "per seed | final best (median [q1, q3]) |\n|---|---|---|---|---|---|")
        by = {}
        for name, rows in sweeps:
            strat = name.rsplit("-s", 1)[0]
            hit = next((i + 1 for i, r in enumerate(rows) if float(r["reward"]) >= target), None)
            fin = max(float(r["reward"]) for r in rows)
            by.setdefault(strat, []).append((int(name.rsplit("-s", 1)[1]), hit, fin))
        for strat, xs in by.items():
            xs.sort()
            hits = [h for _, h, _ in xs if h is not None]
            # runs that never reached count as budget + 1 in the quartiles (a lower bound)
            cens = [h if h is not None else budget + 1 for _, h, _ in xs]
            per = " ".join(str(h) if h is not None else "-" for _, h, _ in xs)
            mm = f"{min(hits)}-{max(hits)}" if hits else "-"
            print(f"| {strat} | {len(hits)}/{len(xs)} | {quart(cens)} | {mm} | {per} | "
                  f"{quart([round(f, 4) for _, _, f in xs])} |")
        print()
        for strat in ("lm", "lm-ttt"):
            tot = {}
            for d in sorted(glob.glob(os.path.join(out, p, strat + "-s*"))):
                for cf in glob.glob(os.path.join(d, "rounds", "*", "candidates.json")):
                    rnd = int(cf.split(os.sep)[-2])
                    st = json.load(open(cf)).get("author_stats")
                    if not st:
                        continue
                    t = tot.setdefault(rnd, dict.fromkeys(st, 0))
                    for k, v in st.items():
                        t[k] = t.get(k, 0) + v
            if not tot:
                continue
            print(f"{strat} author, summed over seeds: round: samples, syntax errors (rate), "
                  f"parser-invalid offers / accepted, repeats (of configs known to fail)")
            for rnd in sorted(tot):
                t = tot[rnd]
                rate = t["syntax_bad"] / t["samples"] if t["samples"] else 0
                print(f"- round {rnd}: {t['samples']} samples, {t['syntax_bad']} syntax errors "
                      f"({rate:.0%}), {t['invalid']} invalid / {t['accepted']} accepted, "
                      f"{t['repeats']} repeats ({t['known_failed']} known failures)")
            print()

main()
