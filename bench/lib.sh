# What bench/compare.sh, bench/mocks.sh and bench/cosched.sh share: sourced, not run. Sets server_pin, load_pin,
# pinning, work and server_pid (with an EXIT trap that stops the server and removes $work), and defines the helpers
# below.

# Server on CPU 0, load on CPU 1 when there are two; otherwise unpinned (and said so).
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_pin=(taskset -c 0) load_pin=(taskset -c 1) pinning="server on CPU 0, load on CPU 1"
else
  server_pin=() load_pin=() pinning="unpinned (fewer than 2 CPUs or no taskset)"
fi
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

submit_one() {  # $1 title prefix; submits a job to $base, prints its status_url
  curl -s -X POST -H 'Authorization: Bearer token-demo' -H 'Content-Type: application/json' \
    -d "{\"title\":\"$1-$RANDOM-$RANDOM\",\"template_uid\":\"tpl-sales\",\"source_file_uid\":\"src-sales\",\"folder_uid\":\"fld-reports\",\"overwrite\":true}" \
    "$base/1/accounts/acct-demo/files/analytics" | sed -n 's/.*"status_url":"\([^"]*\)".*/\1/p'
}

to_ms() {  # wrk latency "812.00us" | "3.10ms" | "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

# Medians over rounds of $results (round, server, route, then columns), and their ratios.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v s="$1" -v r="$2" -v c="$3" '$2 == s && $3 == r { print $c }' "$results" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
