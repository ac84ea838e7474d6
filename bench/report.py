#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the "@" lines of bench/guest.sh into the benchmark table.

usage: report.py [--doc FILE.md] [--png FILE.png] [--data DIR] SERIES=LOG...

Prints the table to stdout; with --doc writes docs/benchmarks.md (methods,
tables, target verdicts); with --png plots revocation latency against the
number of programs with gnuplot (data files in --data).
"""
import argparse
import os
import statistics
import subprocess
import sys
from collections import defaultdict


def med(v):
    return statistics.median(v) if v else float("nan")


def spread(v):
    return (min(v), max(v)) if v else (float("nan"), float("nan"))


def parse(path):
    d = {"hot": defaultdict(dict), "revoked": defaultdict(dict),
         "load": defaultdict(dict), "revoke": defaultdict(list),
         "revoke-audit": defaultdict(list), "reload": defaultdict(list),
         "reload-audit": defaultdict(list), "mem": [], "time": {},
         "kernel": "?", "params": "", "detach": "?", "tracepoints": "?",
         "done": False}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("@"):
                continue
            w = line[1:].split()
            if not w:
                continue
            k = w[0]
            if k == "kernel":
                d["kernel"] = w[1]
            elif k == "params":
                d["params"] = " ".join(w[1:])
            elif k == "done":
                d["done"] = True
            elif k == "time":
                d["time"][w[1]] = int(w[2])
            elif k == "tracepoints":
                d["tracepoints"] = w[1]
            elif k == "detach-method":
                d["detach"] = " ".join(w[1:])
            elif k in ("hot", "revoked") and len(w) >= 7:
                # @hot R on|off hot KIND MODE NS
                r, m, kind, ns = int(w[1]), w[2], w[4], float(w[6])
                d[k][kind].setdefault(r, {})[m] = ns
            elif k == "load" and len(w) >= 6:
                r, m, size, ns = int(w[1]), w[2], int(w[4]), float(w[5])
                d["load"][size].setdefault(r, {})[m] = ns
            elif k in ("revoke", "revoke-audit") and len(w) == 5:
                n = int(w[1])
                d[k][n].append(tuple(int(x) for x in w[2:5]))
            elif k in ("reload", "reload-audit") and len(w) == 6:
                # @reload N CHANGE_NS RESTORE_NS TEXT_POKE_FINISH_CALLS
                # IDLE_PASS_NS
                n = int(w[1])
                d[k][n].append(tuple(int(x) for x in w[2:6]))
            elif k == "mem" and len(w) >= 5:
                ent = {"n": int(w[1]), "r": int(w[2]), "m": w[3],
                       "kb": int(w[4])}
                if len(w) >= 10:
                    ent["slab"] = [int(x) for x in w[5:10]]
                d["mem"].append(ent)
    return d


def ratios(rounds, a, b):
    """Per-round a/b for the rounds that have both."""
    return [x[a] / x[b] for x in rounds.values() if a in x and b in x and x[b]]


def fmt_ratio(rs):
    if not rs:
        return "n/a"
    lo, hi = spread(rs)
    return f"{med(rs):.3f} [{lo:.3f}..{hi:.3f}]"


def verdict(value, target, le=True):
    if value != value:
        return "not measured"
    if le:
        if value <= target:
            return f"met (<= {target})"
        return f"MISSED by {100 * (value / target - 1):.1f}% (target <= {target})"
    if value >= target:
        return f"met (>= {target})"
    return f"MISSED: {value:.2f} vs >= {target} ({target / value:.1f}x short)"


def analyse(d):
    a = {}
    a["hot"] = {k: ratios(v, "on", "off") for k, v in d["hot"].items()}
    a["hot_abs"] = {k: (med([x["on"] for x in v.values() if "on" in x]),
                        med([x["off"] for x in v.values() if "off" in x]))
                    for k, v in d["hot"].items()}
    a["rev"] = {k: ratios(v, "revoked", "none") for k, v in d["revoked"].items()}
    a["rev_abs"] = {k: (med([x["revoked"] for x in v.values() if "revoked" in x]),
                        med([x["none"] for x in v.values() if "none" in x]))
                    for k, v in d["revoked"].items()}
    a["load"] = {s: ratios(v, "on", "off") for s, v in d["load"].items()}
    a["load_abs"] = {s: (med([x["on"] for x in v.values() if "on" in x]),
                         med([x["off"] for x in v.values() if "off" in x]))
                     for s, v in d["load"].items()}
    rv = {}
    for n, reps in sorted(d["revoke"].items()):
        rv[n] = {"attach": med([x[0] for x in reps]) / 1e6,
                 "restore": med([x[1] for x in reps]) / 1e6,
                 "detach": med([x[2] for x in reps]) / 1e6,
                 "reps": len(reps)}
    a["revoke"] = rv
    a["revoke_audit"] = {n: {"attach": med([x[0] for x in reps]) / 1e6,
                             "restore": med([x[1] for x in reps]) / 1e6}
                         for n, reps in d["revoke-audit"].items()}
    for k in ("reload", "reload-audit"):
        a[k] = {n: {"change": med([x[0] for x in reps]) / 1e6,
                    "restore": med([x[1] for x in reps]) / 1e6,
                    "batches": med([x[2] for x in reps]),
                    "idle": med([x[3] for x in reps]) / 1e6,
                    "reps": len(reps)}
                for n, reps in sorted(d[k].items())}
    # Memory: per round, SUnreclaim with the module minus without.
    mem = {}
    for n in sorted({e["n"] for e in d["mem"]}):
        by_r = defaultdict(dict)
        slab = None
        for e in d["mem"]:
            if e["n"] == n:
                by_r[e["r"]][e["m"]] = e["kb"]
                if e["m"] == "on" and "slab" in e:
                    slab = e["slab"]
        deltas = [x["on"] - x["off"] for x in by_r.values()
                  if "on" in x and "off" in x]
        mem[n] = {"delta_kb": deltas, "slab": slab}
    a["mem"] = mem
    big = [n for n in mem if n > 0]
    if big and 0 in mem and mem[0]["delta_kb"] and mem[max(big)]["delta_kb"]:
        n = max(big)
        a["mem_per_prog"] = (med(mem[n]["delta_kb"]) -
                             med(mem[0]["delta_kb"])) * 1024 / n
        a["mem_n"] = n
    return a


def table(series, d, a):
    out = []
    out.append(f"### Kernel {series} ({d['kernel']})")
    out.append("")
    out.append(f"Parameters: `{d['params']}`; guest phases (s): " +
               ", ".join(f"{k} {v}" for k, v in d["time"].items()) +
               ("" if d["done"] else " -- **the run did not finish**"))
    out.append("")
    out.append("| figure | measurement | value | ratio, median [min..max] | target |")
    out.append("|---|---|---|---|---|")
    for k in ("tp", "fentry", "xdp"):
        if k in a["hot"]:
            on, off = a["hot_abs"][k]
            r = a["hot"][k]
            hi = max(abs(x - 1) for x in r) if r else float("nan")
            ok = r and min(r) <= 1.0 <= max(r)
            out.append(f"| 1 hot path | {k}: ns/event loaded vs not | "
                       f"{on:.0f} vs {off:.0f} | {fmt_ratio(r)} | "
                       f"{'met' if ok else 'MISSED'} (1.00 within noise: "
                       f"1.00 {'inside' if ok else 'outside'} the spread, "
                       f"+-{100 * hi:.1f}%) |")
    for k in ("tp", "fentry", "xdp"):
        if k in a["rev"]:
            rv, no = a["rev_abs"][k]
            r = a["rev"][k]
            out.append(f"| 2 revoked path | {k}: ns/event revoked vs "
                       f"{'empty XDP program' if k == 'xdp' else 'no program'} | "
                       f"{rv:.0f} vs {no:.0f} | {fmt_ratio(r)} | "
                       f"{verdict(med(r), 1.05)} |")
    for s in sorted(a["load"]):
        on, off = a["load_abs"][s]
        r = a["load"][s]
        tgt = verdict(med(r), 1.05) if s == 4000 else "report"
        out.append(f"| 3 load path | {s} insns: ms per bpf_prog_load, loaded vs not | "
                   f"{on / 1e6:.2f} vs {off / 1e6:.2f} | {fmt_ratio(r)} | {tgt} |")
    rv, rl = a["revoke"], a["reload"]
    base = rv.get(0, {}).get("attach", 0.0)
    rbase = rl.get(0, {}).get("change", 0.0)
    if 0 in rl:
        out.append(f"| 4 revocation | 0 programs: policy reload (flag + "
                   f"revalidate; fixed cost) | {rl[0]['change']:.1f} ms | - | - |")
    if 0 in rv:
        out.append(f"| 4 revocation | 0 programs: denier attach (fixed cost, "
                   f"trampoline build) | {rv[0]['attach']:.1f} ms | - | - |")
    for n, x in rv.items():
        if n == 0:
            continue
        if n in rl:
            y = rl[n]
            ratio = x["detach"] / y["change"] if y["change"] else float("nan")
            out.append(f"| 4 revocation | {n} programs: revoke by policy reload "
                       f"(flag + revalidate) vs detach links, ms "
                       f"({y['reps']} rep) | {y['change']:.1f} vs "
                       f"{x['detach']:.1f} (restore {y['restore']:.1f}; "
                       f"{1000 * y['change'] / n:.0f} us per program; "
                       f"{y['batches']:.0f} text_poke_finish) | detach/revoke "
                       f"{ratio:.2f} | {verdict(ratio, 10, le=False)} |")
        ratio = x["detach"] / x["attach"] if x["attach"] else float("nan")
        out.append(f"| 4 revocation | {n} programs: revoke by attaching a "
                   f"BPF-LSM denier (includes the trampoline build) vs "
                   f"detach links, ms ({x['reps']} rep) | {x['attach']:.1f} vs "
                   f"{x['detach']:.1f} (restore {x['restore']:.1f}) | "
                   f"detach/revoke {ratio:.2f} | report |")
    if rl:
        out.append("| 4 revocation | revalidate that changes nothing (the "
                   "pass's walk and judgement alone), ms by N | " +
                   ", ".join(f"{n}: {x['idle']:.1f}" for n, x in rl.items()) +
                   " | - | diagnosis |")
    for n, x in a["reload-audit"].items():
        out.append(f"| 4 revocation | {n} programs, audit mode (no patching): "
                   f"policy reload | {x['change']:.1f} ms (restore "
                   f"{x['restore']:.1f}) | - | diagnosis |")
    for n, x in a["revoke_audit"].items():
        out.append(f"| 4 revocation | {n} programs, audit mode (no patching): "
                   f"denier attach | {x['attach']:.1f} ms | - | diagnosis |")
    ns = sorted(n for n in rv if n > 0)
    if 1000 in rv and ns and max(ns) > 1000:
        top = max(ns)
        lin = top / 1000
        if 1000 in rl and top in rl:
            sc = rl[top]["change"] / rl[1000]["change"]
            sc_net = ((rl[top]["change"] - rbase) /
                      (rl[1000]["change"] - rbase))
            out.append(f"| 4 scaling | t({top})/t(1000), revoke by policy "
                       f"reload | {sc:.2f} (minus fixed cost {sc_net:.2f}) | "
                       f"linear = {lin:.0f} | "
                       f"{'met (no worse than linear)' if sc_net <= lin * 1.1 else 'MISSED: superlinear'} |")
            sr = rl[top]["restore"] / rl[1000]["restore"]
            out.append(f"| 4 scaling | t({top})/t(1000), restore by policy "
                       f"reload | {sr:.2f} | linear = {lin:.0f} | report |")
        sc = rv[top]["attach"] / rv[1000]["attach"]
        sc_net = (rv[top]["attach"] - base) / (rv[1000]["attach"] - base)
        out.append(f"| 4 scaling | t({top})/t(1000), revoke by denier attach | "
                   f"{sc:.2f} (minus fixed cost {sc_net:.2f}) | "
                   f"linear = {lin:.0f} | report |")
        dsc = rv[top]["detach"] / rv[1000]["detach"]
        out.append(f"| 4 scaling | t({top})/t(1000), detach | {dsc:.2f} | "
                   f"linear = {lin:.0f} | report |")
    m = a["mem"]
    for n, x in m.items():
        if x["delta_kb"]:
            out.append(f"| 5 memory | {n} programs: SUnreclaim with module - "
                       f"without (kB, per round) | "
                       f"{', '.join(str(v) for v in x['delta_kb'])} | - | - |")
        if x["slab"] and n > 0:
            act, num, sz, per, pages = x["slab"]
            out.append(f"| 5 memory | {n} programs: lsmrevoke_entry slab | "
                       f"{act} objects of {sz} B, {per} per {pages} page(s): "
                       f"{pages * 4096 / per:.1f} B/object | - | "
                       f"{verdict(pages * 4096 / per, 128)} |")
    if "mem_per_prog" in a:
        out.append(f"| 5 memory | bytes per tracked program, slab delta "
                   f"over {a['mem_n']} programs | {a['mem_per_prog']:.0f} B | - | "
                   f"{verdict(a['mem_per_prog'], 128)} |")
    out.append("")
    return "\n".join(out)


def plot(all_a, data_dir, png):
    os.makedirs(data_dir, exist_ok=True)
    cmds = []
    for series, a in all_a.items():
        f = os.path.join(data_dir, f"latency-{series}.dat")
        rl = a["reload"]
        with open(f, "w") as fh:
            fh.write("# programs reload_ms attach_ms detach_ms "
                     "reload_restore_ms attach_restore_ms\n")
            for n, x in a["revoke"].items():
                if n > 0:
                    y = rl.get(n, {"change": float("nan"),
                                   "restore": float("nan")})
                    fh.write(f"{n} {y['change']:.3f} {x['attach']:.3f} "
                             f"{x['detach']:.3f} {y['restore']:.3f} "
                             f"{x['restore']:.3f}\n")
        cmds.append(f"'{f}' using 1:2 with linespoints lw 2 title "
                    f"'{series}: revoke (policy reload: flag + revalidate)'")
        cmds.append(f"'{f}' using 1:3 with linespoints lw 2 dt 3 title "
                    f"'{series}: revoke (attach BPF-LSM denier)'")
        cmds.append(f"'{f}' using 1:4 with linespoints lw 2 dt 2 title "
                    f"'{series}: detach links from user space (close)'")
    script = f"""
set terminal pngcairo size 900,600 noenhanced
set output '{png}'
set title 'lsmrevoke: time to stop N programs (QEMU TCG guest)'
set xlabel 'programs attached (raw_tracepoint links)'
set ylabel 'wall time of the operation (ms)'
set logscale xy
set grid
set key bottom right opaque box
plot {", ".join(cmds)}
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: gnuplot failed: {e}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doc")
    ap.add_argument("--png")
    ap.add_argument("--data", default="/tmp/lsmrevoke-bench")
    ap.add_argument("logs", nargs="+")
    o = ap.parse_args()
    tables, all_a = [], {}
    for arg in o.logs:
        series, path = arg.split("=", 1)
        d = parse(path)
        a = analyse(d)
        all_a[series] = a
        tables.append(table(series, d, a))
    text = "\n".join(tables)
    print(text)
    if o.png:
        plot(all_a, o.data, o.png)
    if o.doc:
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "benchmarks.md.in")) as f:
            tmpl = f.read()
        with open(o.doc, "w") as f:
            f.write(tmpl.replace("@TABLES@", text))


if __name__ == "__main__":
    main()
