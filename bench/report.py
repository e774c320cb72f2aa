#!/usr/bin/env python3
"""Turns one bench/compare.sh results folder into Markdown tables: medians over runs, and the
ratios Switchboard/peer. Usage: bench/report.py bench/results/<stamp> [--p99-limit MS]"""
import glob
import json
import os
import statistics
import sys

folder = sys.argv[1]
P99_LIMIT_MS = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--p99-limit" else 10.0
SERVERS = ["switchboard", "fastapi", "node"]


def load(pattern):
    """Every JSON file matching pattern, parsed."""
    found = []
    for path in sorted(glob.glob(os.path.join(folder, pattern))):
        with open(path) as handle:
            found.append(json.load(handle))
    return found


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    """A number for the table: thousands separated, `digits` decimals for fractions."""
    if value is None:
        return "–"
    if digits == 0 or float(value).is_integer():
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def ratio(mine, theirs, lower_is_better=False):
    if not mine or not theirs:
        return "–"
    value = theirs / mine if lower_is_better else mine / theirs
    return f"{value:.1f}×"


servers = [s for s in SERVERS if glob.glob(os.path.join(folder, f"*-{s}-*.json"))]
run_names = {os.path.basename(p).rsplit("-", 1)[1] for p in glob.glob(os.path.join(folder, "*-*.json"))}
print(f"Results in `{folder}`; medians of {len(run_names)} runs.\n")

rates = sorted({int(os.path.basename(p).split("-")[2])
                for p in glob.glob(os.path.join(folder, "sweep-*.json"))})
if rates:
    print("### calls: latency sweep (100 pairs; relay latency in ms)\n")
    header = ["offered msgs/s"]
    for s in servers:
        header += [f"{s} p50", f"{s} p99", f"{s} p99.9", f"{s} delivered/s", f"{s} lost"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for rate in rates:
        row = [f"{rate:,}"]
        for s in servers:
            runs = [r["result"] for r in load(f"sweep-{s}-{rate}-*.json")]
            lat = lambda key: median([r["latency"][key] for r in runs])
            row += [fmt(lat("p50_ms"), 3), fmt(lat("p99_ms"), 3), fmt(lat("p999_ms"), 3),
                    fmt(median([r["delivered_rate"] for r in runs]), 0),
                    fmt(sum(r["lost"] + r["misrouted"] + r["duplicated"] for r in runs))]
        print("| " + " | ".join(row) + " |")

    if "switchboard" in servers:
        print("\np99 ratio (peer p99 / Switchboard p99; above 1× means Switchboard is faster):\n")
        peers = [s for s in servers if s != "switchboard"]
        print("| offered msgs/s | " + " | ".join(peers) + " |")
        print("|---|" + "---|" * len(peers))
        for rate in rates:
            mine = median([r["result"]["latency"]["p99_ms"] for r in load(f"sweep-switchboard-{rate}-*.json")])
            cells = []
            for s in peers:
                theirs = median([r["result"]["latency"]["p99_ms"] for r in load(f"sweep-{s}-{rate}-*.json")])
                cells.append(ratio(mine, theirs, lower_is_better=True))
            print(f"| {rate:,} | " + " | ".join(cells) + " |")

ladder_rates = sorted({int(os.path.basename(p).split("-")[2])
                       for p in glob.glob(os.path.join(folder, "max-*.json"))})
if ladder_rates:
    print(f"\n### calls: highest sustained rate (median run's p99 under {P99_LIMIT_MS:g} ms, nothing lost)\n")
    best = {}
    ladder_rows = []
    for s in servers:
        best[s] = 0
        unbroken = True
        cells = []
        for rate in ladder_rates:
            runs = [r["result"] for r in load(f"max-{s}-{rate}-*.json")]
            if not runs:
                cells.append("–")
                continue
            p99 = median([r["latency"]["p99_ms"] for r in runs])
            lost = sum(r["lost"] + r["misrouted"] + r["duplicated"] for r in runs)
            delivered = median([r["delivered_rate"] / r["offered_rate"] for r in runs])
            ok = p99 < P99_LIMIT_MS and lost == 0 and delivered >= 0.98
            cells.append(f"{fmt(p99, 2)}{'' if ok else ' ✗'}")
            unbroken = unbroken and ok
            if unbroken:
                best[s] = rate
        ladder_rows.append((s, cells))
    print("| server | max msgs/s | Switchboard / server |")
    print("|---|---|---|")
    for s in servers:
        print(f"| {s} | {fmt(best[s])} | {ratio(best.get('switchboard'), best[s])} |")
    print("\nMedian p99 (ms) at each offered rate of the climb (✗: fails the limit, or lost messages):\n")
    print("| server | " + " | ".join(f"{r:,}" for r in ladder_rates) + " |")
    print("|---|" + "---|" * len(ladder_rates))
    for s, cells in ladder_rows:
        print(f"| {s} | " + " | ".join(cells) + " |")


def match_runs(server):
    """Every match run of server by queue depth: (result, run name, the hub's health after it).
    The depth is read from the report, so files of single-depth runs (match-<server>-<run>.json,
    no prefill) count as depth 0."""
    by_depth = {}
    for path in sorted(glob.glob(os.path.join(folder, f"match-{server}-*.json"))):
        with open(path) as handle:
            result = json.load(handle)["result"]
        health_path = os.path.join(folder, "health-" + os.path.basename(path))
        health = None
        if os.path.exists(health_path) and os.path.getsize(health_path) > 0:
            with open(health_path) as handle:
                health = json.load(handle)
        depth = result.get("prefill", {}).get("requested", 0)
        by_depth.setdefault(depth, []).append((result, os.path.basename(path), health))
    return by_depth


def match_faults(result, health):
    """What makes a match run's depth other than asked: prefilled legs refused or matched,
    refused starts in the window, legs the hub dropped that the answers still count."""
    faults = []
    prefill = result.get("prefill", {})
    if prefill.get("refused"):
        reasons = ", ".join(f"{n} × {why}" for why, n in prefill.get("refusals", {}).items())
        faults.append(f"{prefill['refused']} prefilled legs refused ({reasons})")
    if prefill.get("matched"):
        faults.append(f"{prefill['matched']} prefilled legs matched")
    if result.get("errors"):
        reasons = ", ".join(f"{n} × {why}" for why, n in result.get("error_reasons", {}).items())
        faults.append(f"{result['errors']} starts of the window failed ({reasons})")
    held = (health or {}).get("waiting_customers")
    implied = result.get("customers_waiting_at_end")
    if held is not None and implied is not None and held != implied:
        faults.append(f"the hub held {held:,} waiting customers at the end, the answers imply {implied:,}")
    return faults


scaling = {s: match_runs(s) for s in servers}
depths = sorted({d for by_depth in scaling.values() for d in by_depth})
if depths:
    print("\n### match scaling: pairs per second and p99 of `POST /api/calls/start` with N customers "
          "already waiting\n")
    peers = [s for s in servers if s != "switchboard"]
    header = ["waiting (N)"]
    for s in servers:
        header += [f"{s} pairs/s", f"{s} p99 ms"]
    if "switchboard" in servers:
        header += [f"Switchboard / {s}" for s in peers]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    pairs = {}
    notes = []
    for depth in depths:
        row = [f"{depth:,}"]
        for s in servers:
            runs = scaling[s].get(depth, [])
            pairs[(s, depth)] = median([r["pairs_per_second"] for r, _, _ in runs])
            p99 = median([r.get("latency", {}).get("p99_ms") for r, _, _ in runs])
            faulty = False
            for result, name, health in runs:
                for fault in match_faults(result, health):
                    notes.append(f"- ✗ `{name}`: {fault}")
                    faulty = True
            row += [fmt(pairs[(s, depth)], 0) + (" ✗" if faulty else ""), fmt(p99, 2)]
        if "switchboard" in servers:
            row += [ratio(pairs[("switchboard", depth)], pairs[(s, depth)]) for s in peers]
        print("| " + " | ".join(row) + " |")
    if len(depths) > 1:
        shallow, deep = depths[0], depths[-1]
        relative = []
        for s in servers:
            low, high = pairs.get((s, shallow)), pairs.get((s, deep))
            relative.append(f"{s} {100 * high / low:.0f} %" if low and high else f"{s} –")
        print(f"\npairs/s at N = {deep:,} relative to N = {shallow:,}: " + ", ".join(relative))
    if notes:
        print("\nRuns marked ✗ (the queue was not the depth asked, or starts failed):\n")
        print("\n".join(notes))

if glob.glob(os.path.join(folder, "idle-*.json")):
    print("\n### idle: sockets held open\n")
    print("| server | held | connect/s | server KB per socket |")
    print("|---|---|---|---|")
    for s in servers:
        runs = [r["result"] for r in load(f"idle-{s}-*.json")]
        if not runs:
            continue
        print(f"| {s} | {fmt(median([r['held'] for r in runs]))} of {fmt(runs[0]['requested'])} "
              f"| {fmt(median([r['connect_rate'] for r in runs]), 0)} "
              f"| {fmt(median([r['server_kb_per_connection'] for r in runs]), 1)} |")
