#!/usr/bin/env bash
# roambi-conformance --target against a target that answers with bytes no server should send (hostile_target.py):
# the run ends in time with exit 1 or 3, never a crash; results.json, junit.xml and report.html are written and
# valid; findings show the target's bytes escaped.
set -uo pipefail
conf=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$tmp"' EXIT

python3 "$here/hostile_target.py" > "$tmp/port" 2>"$tmp/server.err" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
port=$(head -1 "$tmp/port")
check "the hostile target started" "[ -n '$port' ]"

start=$(date +%s)
timeout 120 "$conf" --target "http://127.0.0.1:$port/1" --quiet --format json --report-dir "$tmp/report" \
  --enable multipart,concurrency,latency,robustness --latency-samples 5 --timeout-ms 1000 --connect-timeout-ms 1000 \
  --deadline-s 40 > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
took=$(($(date +%s) - start))
check "the run ends within its deadline (took ${took} s)" "[ $took -le 50 ]"
check "exit 1 or 3, never a crash (exit $rc)" "[ $rc -eq 1 ] || [ $rc -eq 3 ]"
[ $rc -eq 1 ] || [ $rc -eq 3 ] || tail -5 "$tmp/stderr"

python3 - "$tmp" <<'PY'
import json, sys, xml.etree.ElementTree as ET
tmp = sys.argv[1]
ok = True
def check(what, cond):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok = ok and cond
def read(name):
    try:
        return open(f"{tmp}/{name}", "rb").read()
    except OSError:
        return None
for name in ("stdout", "report/results.json"):
    raw = read(name)
    try:
        doc = json.loads(raw.decode("utf-8"))  # strict: bytes that are not UTF-8 fail here
    except (AttributeError, UnicodeDecodeError, ValueError) as e:
        check(f"{name} is UTF-8 JSON ({e})", False)
        continue
    checks = [c for s in doc["sections"] for c in s["checks"]]
    check(f"{name} is UTF-8 JSON with every check ({len(checks)})", len(checks) == doc["summary"]["total"] > 50)
    text = json.dumps(doc)
    check(f"{name}: the target's bytes are shown escaped (\\xff, \\u0000)", "\\\\xff" in text and "\\\\u0000" in text)
junit = read("report/junit.xml")
try:
    root = ET.fromstring(junit)  # expat: well-formed, UTF-8, only characters XML 1.0 allows
    cases = root.findall(".//testcase")
    check(f"junit.xml is well-formed XML with a testcase per check ({len(cases)})", len(cases) > 50)
    check("junit.xml names failures", len(root.findall(".//failure")) > 0)
except (ET.ParseError, TypeError) as e:
    check(f"junit.xml is well-formed XML ({e})", False)
html = read("report/report.html")
try:
    page = html.decode("utf-8")
    bad = [c for c in page if (ord(c) < 0x20 and c not in "\n\t\r") or c in "\ufffe\uffff"]
    check("report.html is written, UTF-8, no control bytes, complete", not bad and page.rstrip().endswith("</html>"))
    check("report.html carries no markup from the target", "<script>" not in page and "<b>bold" not in page)
except (AttributeError, UnicodeDecodeError) as e:
    check(f"report.html is written and UTF-8 ({e})", False)
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || fail=1
exit $fail
