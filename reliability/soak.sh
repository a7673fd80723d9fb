#!/usr/bin/env bash
# Soak: 1,000,000 submitted jobs through the standalone fake (default --max-jobs 100000), with its resident memory,
# descriptors and threads sampled every second. Prints the figures (and writes the samples as CSV); fails on any
# transport error or 5xx, when resident memory grows by more than 25 % from 30 % of the run to its end, or when
# descriptors or threads end above where they started. --titles reuse:K submits K titles over and over (overwrite).
# Usage: reliability/soak.sh [--jobs N] [--connections C] [--titles unique|reuse:K] [--csv FILE] [-- fake flags]
source "$(dirname "$0")/common.sh"
jobs=1000000 connections=8 titles=unique csv=""
while (($#)); do
  case $1 in
    --jobs) jobs=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --titles) titles=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
need_build roambi-fake-server roambi-reliability
start_fake --rate-limit 0 "$@"
echo "soak: $jobs jobs over $connections connections, titles $titles, against $url (fake flags: ${*:-none})" >&2
figures=$("$build/tests/roambi-reliability" soak --target "$url" --pid "$fake_pid" --jobs "$jobs" \
          --connections "$connections" --titles "$titles" ${csv:+--csv "$csv"}) || rc=$?
echo "$figures"
python3 - "$figures" <<'PY'
import json, sys
f = json.loads(sys.argv[1])
r, d, t = f["rss_mib"], f["fds"], f["threads"]
print(f"soak: {f['jobs']} jobs in {f['seconds']:.0f} s ({f['per_second']}/s): {f['accepted']} accepted, {f['rejected']} refused, "
      f"{f['transport_errors']} transport errors, {f['server_errors']} 5xx")
print(f"rss MiB start {r['start']} peak {r['peak']} end {r['end']}; max per tenth of the run {r['max_by_tenth_of_run']}")
print(f"fds start {d['start']} peak {d['peak']} end {d['end']}; threads start {t['start']} peak {t['peak']} end {t['end']}")
fails = []
tenths = r["max_by_tenth_of_run"]
# Levels off: from 30 % of the run (the job bound, 100,000, is reached at 10 % of a million) to the end, resident
# memory grows by at most 25 %. The margin is glibc's per-thread arenas: every 100,000 requests a keep-alive
# connection rolls over to another server thread, whose arena then fills (a step of ~15 MiB, measured).
growth = (tenths[-1] - tenths[3]) / max(1, tenths[3])
print(f"rss growth from 30 % of the run to its end: {growth * 100:.0f} %")
if growth > 0.25: fails.append(f"resident memory did not level off (+{growth * 100:.0f} % from 30 % of the run)")
if f["transport_errors"] or f["server_errors"]: fails.append("errors")
if d["end"] > d["start"]: fails.append("descriptors grew")
if t["end"] > t["start"]: fails.append("threads grew")
print("soak: " + ("PASS" if not fails else "FAIL: " + "; ".join(fails)))
sys.exit(1 if fails else 0)
PY
