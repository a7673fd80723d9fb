#!/usr/bin/env bash
# Runs the curl examples of jobs-api.md as written (host, ids and token replaced) against roambi-fake-server and
# compares each answer with the documented example response.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
doc=${ROAMBI_JOBS_API_DOC:-$root/../shared/spec/jobs-api.md}
[ -f "$doc" ] || { echo "SKIP: $doc not found (shared/ is expected beside the checkout)"; exit 77; }
tmp=$(mktemp -d)
"$bin" --port 0 --job-duration 0 --quiet > "$tmp/out" 2> "$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$tmp/out" && break; sleep 0.05; done
base=$(awk '/^listening on /{print $3}' "$tmp/out")
[ -n "$base" ] || { echo "FAIL: the server printed no 'listening on' line"; cat "$tmp/err"; exit 1; }
python3 - "$doc" "${base%/1}" <<'PY'
import json, re, subprocess, sys
doc, host = sys.argv[1], sys.argv[2]
text = open(doc).read()
requests = re.findall(r"### Example request:\s*```\s*\n(.*?)```", text, re.S)
responses = re.findall(r"### Example response:\s*```\s*\n(.*?)```", text, re.S)
assert len(requests) == 2 and len(responses) == 2, f"expected 2 examples, found {len(requests)}/{len(responses)}"
values = {"`$ACCOUNT_UID`": "acct-demo", "`$ACCESS_TOKEN`": "token-demo", "`$TITLE`": "Curl Example",
          "`$TEMPLATE_UID`": "tpl-sales", "`$SOURCE_FILE_UID`": "src-sales", "`$FOLDER_UID`": "fld-reports"}
failures = 0
for (request, expected_text) in zip(requests, responses):
    cmd = re.sub(r"^\s*# ", "", request.strip()).replace("https://api.roambi.com", host)
    for k, v in values.items():
        cmd = cmd.replace(k, v)
    cmd += " -s -w '\\n%{http_code}'"
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=20).stdout
    body, code = out.rsplit("\n", 1)
    expected = json.loads(expected_text)["job"]
    got = json.loads(body).get("job")
    print(f"$ {cmd.splitlines()[0]} ...\n  -> HTTP {code} {body}")
    if got is None:
        print("  FAIL: no job in the answer"); failures += 1; continue
    missing = sorted(set(expected) - set(got) - {"status_url"})
    if missing:
        print(f"  FAIL: documented fields missing: {missing}"); failures += 1
    for key in ("progress", "status", "exception", "retry_after") + (("results",) if "results" in expected and expected["results"] is None and got["status"] == "processing" else ()):
        if got.get(key) != expected[key]:
            print(f"  FAIL: {key} is {got.get(key)!r}, the document shows {expected[key]!r}"); failures += 1
    if not code.startswith("2"):
        print(f"  FAIL: HTTP {code}"); failures += 1
    values["`$JOB_UID`"] = got["uid"]
print(f"{2 - min(failures, 2)} passed, {min(failures, 2)} failed" if failures else "2 passed, 0 failed")
sys.exit(1 if failures else 0)
PY
