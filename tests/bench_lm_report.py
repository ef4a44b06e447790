#!/usr/bin/env python3
"""bench_lm_report.py OUT PROJECT... - the summary of tests/bench_lm.sh, from OUT/PROJECT.csv
(and OUT/PROJECT-long-*.csv, OUT/PROJECT.csv.lm): per project the best known reward (the best
of every run), then per strategy the evaluations each seed needed to reach 95% of it ('-' when
the budget ran out first), their median and quartiles (a run that never reached counts as
budget + 1, so those are lower bounds when any run missed), and for lm / lm-ttt the author's
counts per round (syntax errors, parser-invalid offers), summed over seeds; per strategy the
failed evaluations and how many distinct rewards a round's candidates had (near-identical
proposals show as few)."""
import csv, os, statistics, sys

def load(path):
    return list(csv.DictReader(open(path))) if os.path.exists(path) else []

def quart(xs):
    xs = sorted(xs)
    if not xs:
        return "-"
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return f"{q[1]:g} [{q[0]:g}, {q[2]:g}]"

def main():
    out, projects = sys.argv[1], sys.argv[2:]
    for p in projects:
        rows = load(os.path.join(out, p + ".csv"))
        longs = {k: load(os.path.join(out, f"{p}-long-{k}.csv")) for k in ("random", "heuristic")}
        best, where = -1.0, "-"
        for r in rows:
            if float(r["reward"]) > best:
                best, where = float(r["reward"]), f"{r['strategy']} seed {r['seed']}"
        for k, rs in longs.items():
            for r in rs:
                if float(r["reward"]) > best:
                    best, where = float(r["reward"]), f"the long {k} run"
        target = 0.95 * best
        runs = {}
        for r in rows:
            runs.setdefault((r["strategy"], int(r["seed"])), []).append(r)
        budget = max((len(v) for v in runs.values()), default=0)
        print(f"## {p}\n")
        print(f"best known reward {best:.4f} (first found by {where}); 95% of it: {target:.4f}; "
              f"budget {budget} evaluations per run\n")
        for k, rs in longs.items():
            if rs:
                print(f"- long {k} run: {len(rs)} evaluations, best "
                      f"{max(float(x['reward']) for x in rs):.4f}")
        print("\n| strategy | runs reaching 95% | evaluations to 95%: median [q1, q3] | "
              "min-max (reaching) | per seed | best reward: median [q1, q3] |\n"
              "|---|---|---|---|---|---|")
        strategies = []
        for (s, _) in runs:
            if s not in strategies:
                strategies.append(s)
        for s in strategies:
            seeds = sorted(d for (t, d) in runs if t == s)
            hits, fins = [], []
            for d in seeds:
                rs = runs[(s, d)]
                hits.append(next((int(r["index"]) for r in rs if float(r["reward"]) >= target), None))
                fins.append(round(max(float(r["reward"]) for r in rs), 4))
            reached = [h for h in hits if h is not None]
            cens = [h if h is not None else budget + 1 for h in hits]
            per = " ".join(str(h) if h is not None else "-" for h in hits)
            mm = f"{min(reached)}-{max(reached)}" if reached else "-"
            print(f"| {s} | {len(reached)}/{len(hits)} | {quart(cens)} | {mm} | {per} | {quart(fins)} |")
        print()
        # how varied each round's candidates are, and how many failed their evaluation
        print("| strategy | failed evaluations | distinct rewards per round of 8, rounds 1+: mean |\n"
              "|---|---|---|")
        for s in strategies:
            fails = total = 0
            distinct = []
            for (t, d), rs in runs.items():
                if t != s:
                    continue
                total += len(rs)
                fails += sum(r["tier"] == "failed" for r in rs)
                by = {}
                for r in rs:
                    by.setdefault(int(r["round"]), set()).add(r["reward"])
                distinct += [len(v) for k, v in by.items() if k > 0]
            mean = statistics.mean(distinct) if distinct else float("nan")
            print(f"| {s} | {fails} / {total} | {mean:.2f} |")
        print()
        lm = load(os.path.join(out, p + ".csv.lm"))
        for s in ("lm", "lm-ttt"):
            tot = {}
            for r in lm:
                if r["strategy"] != s:
                    continue
                t = tot.setdefault(int(r["round"]), {})
                for k, v in r.items():
                    if k not in ("strategy", "seed", "round"):
                        t[k] = t.get(k, 0) + int(v)
            if not tot:
                continue
            print(f"{s}: per round, summed over seeds: samples, syntax errors (rate), "
                  f"parser-invalid offers / accepted from the LM, repeats (known failures)\n")
            for rnd in sorted(tot):
                t = tot[rnd]
                rate = t["syntax_bad"] / t["samples"] if t["samples"] else 0
                print(f"- round {rnd}: {t['samples']} samples, {t['syntax_bad']} syntax errors "
                      f"({rate:.0%}), {t['invalid']} invalid / {t['accepted']} accepted, "
                      f"{t['repeats']} repeats ({t['known_failed']} known failures)")
            print()

main()
