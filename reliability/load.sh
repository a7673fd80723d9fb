#!/usr/bin/env bash
# Load: the standalone fake under a sustained mixed submit/poll load from wrk (64 connections, 60 s by default),
# then every accepted job polled once. Prints the figures and fails unless: zero 5xx, zero connection (or read,
# write, timeout) errors, every accepted job retrievable except exactly those the --max-jobs bound evicted, and
# the fake's own counts (admin coverage: submits and polls served) consistent with wrk's.
# Usage: reliability/load.sh [--duration S] [--connections N] [--max-jobs N]
source "$(dirname "$0")/common.sh"
duration=60 connections=64 max_jobs=100000
while (($#)); do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --max-jobs) max_jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (reliability/setup.sh)" >&2; exit 2; }
need_build roambi-fake-server roambi-reliability
out=$(mktemp -d)
start_fake --admin --rate-limit 0 --max-jobs "$max_jobs"
read -r rss0 fds0 thr0 <<<"$(proc)"
echo "load: wrk -t2 -c$connections -d${duration}s against $url (max-jobs $max_jobs)" >&2
wrk -t2 -c"$connections" -d"${duration}s" --timeout 5s -s "$root/reliability/wrk/mixed.lua" "$url" -- "$out" >"$out/wrk.txt"
read -r rss1 fds1 thr1 <<<"$(proc)"
coverage=$(curl -s "${url%/1}/__admin/coverage")
journal=$(curl -s "${url%/1}/__admin/journal?limit=0")
verify=$("$build/tests/roambi-reliability" verify --target "$url" --uids "$out" --threads 4)
read -r rss2 fds2 thr2 <<<"$(proc)"
python3 - "$out/wrk.json" "$coverage" "$journal" "$verify" "$max_jobs" "$connections" "$rss0 $fds0 $thr0" "$rss1 $fds1 $thr1" "$rss2 $fds2 $thr2" <<'PY'
import json, sys
wrk = json.load(open(sys.argv[1])); cov = json.loads(sys.argv[2]); journal = json.loads(sys.argv[3])
verify = json.loads(sys.argv[4]); max_jobs = int(sys.argv[5]); conns = int(sys.argv[6])
p = [list(map(int, s.split())) for s in sys.argv[7:10]]
count = {i["behaviour"]: i["count"] for i in cov["items"]}
served_submits = count["route/submit_job:json"]
served_polls = count["route/check_job_status"]
seen_submits = wrk["submit_ok"] + wrk["submit_4xx"]
seen_polls = wrk["poll_ok"] + wrk["poll_4xx"]
accepted = wrk["submit_ok"]
unseen = served_submits - seen_submits          # answered by the fake after wrk stopped counting
expected_found = min(accepted, max_jobs - max(0, unseen)) if accepted + unseen > max_jobs else accepted
e = wrk["errors"]
print(f"requests {wrk['requests']} in {wrk['duration_us']/1e6:.1f} s = {wrk['requests']/(wrk['duration_us']/1e6):.0f}/s; "
      f"latency p50 {wrk['latency_us']['p50']/1000:.2f} ms p99 {wrk['latency_us']['p99']/1000:.2f} ms max {wrk['latency_us']['max']/1000:.1f} ms")
print(f"submits: {accepted} accepted, {wrk['submit_4xx']} refused; polls: {wrk['poll_ok']} answered the job, {wrk['poll_4xx']} invalid_resource (evicted)")
print(f"5xx: {wrk['status_5xx']}; socket errors: connect {e['connect']} read {e['read']} write {e['write']} timeout {e['timeout']}")
print(f"fake's counts: submits served {served_submits} (wrk saw {seen_submits}), polls served {served_polls} (wrk saw {seen_polls}), "
      f"journal total {journal['total']} (wrk {wrk['requests']})")
print(f"afterwards: {verify['found']} of {verify['uids']} accepted jobs retrievable, {verify['missing']} evicted "
      f"(bound {max_jobs}; expected retrievable {expected_found}), unexpected {verify['unexpected']}")
print(f"fake: rss {p[0][0]//1024} -> {p[1][0]//1024} -> {p[2][0]//1024} MiB, fds {p[0][1]} -> {p[1][1]} -> {p[2][1]}, "
      f"threads {p[0][2]} -> {p[1][2]} -> {p[2][2]}")
fails = []
if wrk["status_5xx"]: fails.append("5xx answers")
if any(e[k] for k in ("connect", "read", "write", "timeout")): fails.append("socket errors")
if wrk["other"]: fails.append(f"{wrk['other']} unclassified answers")
if not 0 <= served_submits - seen_submits <= conns or not 0 <= served_polls - seen_polls <= conns:
    fails.append("the fake's counts and wrk's differ by more than the requests in flight at the end")
if journal["total"] < wrk["requests"] or journal["total"] - wrk["requests"] > conns:
    fails.append("journal total and wrk's request count differ by more than the requests in flight")
if verify["uids"] != accepted: fails.append("uid files and accepted count differ")
if verify["unexpected"]: fails.append("unexpected answers when polling accepted jobs")
if verify["found"] != expected_found: fails.append(f"retrievable {verify['found']} != expected {expected_found}")
print("load: " + ("PASS" if not fails else "FAIL: " + "; ".join(fails)))
sys.exit(1 if fails else 0)
PY
