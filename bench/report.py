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
print(f"Results in `{folder}`; medians of {len(load(f'maxrate-{servers[0]}-*.json')) if servers else 0} runs.\n")

rates = sorted({int(os.path.basename(p).split("-")[2])
                for p in glob.glob(os.path.join(folder, "sweep-*.json"))})
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

print(f"\n### calls: highest sustained rate (median run's p99 under {P99_LIMIT_MS:g} ms, nothing lost)\n")
ladder_rates = sorted({int(os.path.basename(p).split("-")[2])
                       for p in glob.glob(os.path.join(folder, "max-*.json"))})
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
print("\n### match: pairs per second, customers and agents arriving concurrently\n")
print("| server | pairs/s (median) | Switchboard / server |")
print("|---|---|---|")
pairs = {s: median([r["result"]["pairs_per_second"] for r in load(f"match-{s}-*.json")]) for s in servers}
for s in servers:
    print(f"| {s} | {fmt(pairs[s], 0)} | {ratio(pairs.get('switchboard'), pairs[s])} |")

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
