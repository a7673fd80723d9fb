#!/usr/bin/env python3
"""Writes the seeds of every fuzz target into fuzz/corpus/<target>/seed-* (from fixtures/examples: the documents'
examples byte for byte, the Java client's shapes, the invalid cases), and the inputs that once found a bug into
regression-* (each names the bug; see reliability/README.md). Run it again after changing fixtures/examples."""
import json, pathlib, shutil, struct

root = pathlib.Path(__file__).resolve().parent.parent
ex = root / "fixtures" / "examples"
out = root / "fuzz" / "corpus" / "fuzz_fake_engine"
out.mkdir(parents=True, exist_ok=True)
SEP = "\n~~~\n"
submit = (ex / "submit-example-request-joined.json").read_text()
valid = json.dumps({"title": "Q3 Sales", "template_uid": "tpl-sales", "source_file_uid": "src-sales",
                    "folder_uid": "fld-reports", "overwrite": True})
opts = (ex / "publish-example-publish-options.json").read_text()

def req(method, target, body="", token="token-demo", ctype="application/json", extra=()):
    head = [f"{method} {target}"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    if ctype:
        head.append(f"Content-Type: {ctype}")
    head.extend(extra)
    return "\n".join(head) + "\n\n" + body

SUBMIT = "/1/accounts/acct-demo/files/analytics"
seeds = {
    "submit-doc-example": req("POST", SUBMIT, submit),
    "submit-then-poll": SEP.join([req("POST", SUBMIT, valid), "ADVANCE 3000",
                                  req("GET", "/1/jobs/00000000-0000-4000-8000-000000000000", ctype="")]),
    "multipart": req("POST", SUBMIT, "publish_options\n" + opts + "\n--\nsource_file\nregion,sales\nwest,10\n",
                     ctype="multipart/form-data; boundary=x"),
    "multipart-fails": req("POST", SUBMIT, "publish_options\n" + opts + "\n--\nsource_file\n#fails\n",
                           ctype="multipart/form-data; boundary=x"),
    "other-user": SEP.join([req("POST", SUBMIT, valid, token="token-other"),
                            req("POST", "/1/accounts/acct-other/files/analytics",
                                valid.replace("tpl-sales", "tpl-other").replace("src-sales", "src-other")
                                .replace("fld-reports", "fld-other"), token="token-other")]),
    "expired-token": req("POST", SUBMIT, valid, token="token-expired"),
    "no-token": req("GET", "/1/jobs/abc", token="", ctype=""),
    "wrong-method": req("DELETE", "/1/jobs/abc", ctype=""),
    "unversioned": req("GET", "/jobs/abc", ctype=""),
    "api-1-job": req("GET", "/api/1/job/abc", ctype=""),
    "refresh": req("POST", "/1/token",
                   "grant_type=refresh_token&refresh_token=refresh-demo&client_id=demo-client&client_secret=demo-secret",
                   token="", ctype="application/x-www-form-urlencoded"),
    "text-json": req("POST", SUBMIT, valid, ctype="text/json"),
    "readonly-folder": req("POST", SUBMIT, valid.replace("fld-reports", "fld-readonly")),
    "faults": SEP.join([req("POST", "/__admin/faults", json.dumps([
        {"kind": "error", "error": "file_exists", "nth": 1},
        {"route": "/1/jobs/{job_uid}", "kind": "malformed_body", "rate": 0.5},
        {"kind": "latency", "latency_ms": 10, "times": 1}]), token=""), req("POST", SUBMIT, valid),
        req("GET", "/1/jobs/x", ctype="")]),
    "admin": SEP.join([req("POST", "/__admin/clock/advance", '{"seconds": 5}', token=""),
                       req("POST", "/__admin/next-submit", '{"kind": "finish_after_polls", "polls": 2}', token=""),
                       req("PUT", "/__admin/rate-limit", '{"per_minute": 1}', token=""),
                       req("POST", SUBMIT, valid), req("POST", SUBMIT, valid),
                       req("GET", "/__admin/journal?limit=3", token="", ctype=""),
                       req("GET", "/__admin/verdicts", token="", ctype=""),
                       req("POST", "/__admin/tokens/token-demo/expire", token=""),
                       req("PUT", "/__admin/fixtures", (root / "fixtures" / "default.json").read_text(), token="")]),
}
for name, text in seeds.items():
    for p in range(3):  # first byte: the profile
        (out / f"seed-{name}-p{p}").write_bytes(bytes([p]) + text.encode())
# The regressions: each input once crashed a target (fixed since; replayed by every fuzz ctest).
regressions = {
    # GET with a path that is not UTF-8 (what a client's %FF decodes to): the error message echoed it, dump() threw.
    "regression-non-utf8-path": bytes([0]) + b"GET /1/jobs/\xff\xfe\nAuthorization: Bearer token-demo\n\n",
    # Admin clock advance by 1e300 s / ms: double -> int64 conversion out of range (undefined behaviour).
    "regression-clock-advance-huge": bytes([0]) + SEP.join([
        req("POST", "/__admin/clock/advance", '{"seconds": 1e300}', token=""),
        req("POST", "/__admin/clock/advance", '{"ms": 1e300}', token=""),
        req("GET", "/1/jobs/x", ctype="")]).encode(),
    # A fault with numbers too large for its integer fields: double -> uint64 conversion out of range.
    "regression-fault-huge-numbers": bytes([0]) + req("POST", "/__admin/faults",
        '{"kind":"latency","latency_ms":1e300,"nth":1e300,"times":1e300}', token="").encode(),
}
for name, data in regressions.items():
    (out / name).write_bytes(data)
corpus = root / "fuzz" / "corpus"
def copy(target, files, prefix=b"", suffix=b""):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    for f in files:
        (d / f"seed-{f.name}").write_bytes(prefix + f.read_bytes() + suffix)
copy("fuzz_submit_json", [ex / "submit-example-request.json", ex / "submit-example-request-joined.json",
                          ex / "java_client/submit-json-body.json", ex / "publish-example-publish-options.json",
                          ex / "syntax-exponent-number.json", *sorted(ex.glob("invalid/submit-*.json"))])
# A value cut at 40 bytes for a message, inside a UTF-8 sequence: dump() threw (violation.hpp kind_of).
(corpus / "fuzz_submit_json" / "regression-utf8-cut-in-violation").write_bytes(
    b'"' + b"a" * 39 + "\u00e9\u00e9".encode() + b'"')
for flags in range(4):
    for f in [ex / "publish-example-publish-options.json", ex / "java_client/submit-multipart-publish-options.json",
              *sorted(ex.glob("invalid/multipart-*.json"))]:
        d = corpus / "fuzz_submit_multipart"
        (d / f"seed-{flags}-{f.name}").write_bytes(bytes([flags]) + f.read_bytes() + b"\0region,sales\nwest,10\n")
copy("fuzz_job", [ex / "jobs-object-example.json", ex / "status-example-response.json", ex / "submit-example-response.json",
                  *sorted(ex.glob("invalid/job-*.json")), *sorted(ex.glob("java_client/job-*.json"))])
(corpus / "fuzz_job" / "seed-lifecycle.txt").write_bytes((ex / "submit-example-response.json").read_bytes() + b"\n\n" +
                                                        (ex / "status-example-response.json").read_bytes())
# Jobs for the fake's writer: status byte, progress (a double), retry_after (int32), exception flag, then uid, exception,
# status_url and the results' JSON text, NUL-separated.
d = corpus / "fuzz_job_writer"
d.mkdir(parents=True, exist_ok=True)
def job(status, progress, retry_after, exception, uid, status_url, results=""):
    head = bytes([status]) + struct.pack("<d", progress) + struct.pack("<i", retry_after) + bytes([exception is not None])
    return head + b"\0".join(x.encode() for x in [uid, exception or "", status_url, results])
writer_seeds = {
    "processing": job(0, 0.0, 3, None, "3b6f7815-eaa5-4b", "/1/jobs/3b6f7815-eaa5-4b"),
    "half": job(0, 0.42, 3, None, "3b6f7815-eaa5-4b", "/api/1/job/3b6f7815-eaa5-4b"),
    "complete": job(1, 1.0, 3, None, "u", "/1/jobs/u",
                    '{"file":{"folder_uid":"fld-reports","title":"Quarterly \\"sales\\"","uid":"file-1"}}'),
    "error-code": job(2, 0.5, 0, "1001", "u", "/1/jobs/u"),
    "error-text": job(2, 0.5, 7, "quote\" back\\ \n\t\x01 ctl", "u", "/1/jobs/u"),
    "non-ascii": job(1, 1.0, 3, "caf\u00e9", "u\u00e9", "/1/jobs/u", '{"title":"\u00e9t\u00e9"}'),
    "values": job(1, 1e-7, -1, "", "u", "", '{"a":[1,-2,3.5,true,false,null],"n":18446744073709551615,"e":{}}'),
}
for name, data in writer_seeds.items():
    (d / f"seed-{name}").write_bytes(data)
copy("fuzz_error_envelope", [ex / "syntax-error-envelope.json", ex / "syntax-invalid-resource-details.json",
                             *sorted(ex.glob("invalid/error-*.json")), ex / "java_client/error-invalid-token.json"],
     prefix=b"400\n")
# Answers as a target may send them: byte 0 picks profile and transport, then "<status> <path>", headers, body.
d = corpus / "fuzz_conformance_answer"
d.mkdir(parents=True, exist_ok=True)
def answer(status, headers, body, selector=0):
    return bytes([selector]) + f"{status} /1/jobs/x\n".encode() + b"".join(h + b"\n" for h in headers) + b"\n" + body
answers = {
    "status-example": answer(200, [b"Content-Type: application/json"], (ex / "status-example-response.json").read_bytes()),
    "submit-example": answer(202, [b"Content-Type: application/json"], (ex / "submit-example-response.json").read_bytes(), 1),
    "error-envelope": answer(400, [b"Content-Type: application/json"], (ex / "syntax-error-envelope.json").read_bytes(), 3),
    "rate-limited": answer(503, [b"Retry-After: 60"], b'{"error":"rate_limit_exceeded"}', 4),
    "redirect": answer(302, [b"Location: /1/elsewhere\xff"], b"", 0),
    # What once aborted a run: error bodies with bytes that are not UTF-8 (an overlong form dump() rejects).
    "not-utf8-error-body": answer(400, [b"Content-Type: application/json"],
                                  b'{"error":"invalid_resource","error_description":"\xc0\xaf \xff\xfe"}'),
    "nul-and-controls": answer(400, [b"Content-Type: text/plain\x00\x1b[31m", b"X-\xff: \xef\xbf\xbf"],
                               b"\x00<b>&amp;]]>\r\x7f\xed\xa0\x80", 2),
    "broken": answer(0, [b"X-Error: cut \xf4\x90\x80\x80"], b'{"job": {"uid": "', 2),
    # Nested deeper than the suite reads (a million deep once overflowed the stack in dump()).
    "deep-status": answer(202, [], b'{"job":{"status":' + b"[" * 200 + b"]" * 200 + b"}}"),
}
for name, data in answers.items():
    (d / f"seed-{name}").write_bytes(data)
# The fast JSON reader: job bodies (what the load tool reads), submit bodies (what the fake reads), escapes, numbers.
copy("fuzz_json_scan", [ex / "jobs-object-example.json", ex / "status-example-response.json",
                        ex / "submit-example-response.json", ex / "submit-example-request.json",
                        ex / "syntax-exponent-number.json", *sorted(ex.glob("java_client/job-*.json"))])
(corpus / "fuzz_json_scan" / "seed-escapes-and-utf8").write_bytes(
    b'{"job":{"st\\u0061tus":"complete","uid":"caf\xc3\xa9 \\ud83d\\ude00","exception":"","retry_after":1.5e0,'
    b'"status_uri":"https://h/api/1/job/u","x":[true,false,null,-0,1E+2,{"a":[]}]}}')
# The load tool's response reader: byte 0 picks the caps (odd: small) and how the bytes are split, then the wire.
d = corpus / "fuzz_http_response"
d.mkdir(parents=True, exist_ok=True)
job = (ex / "status-example-response.json").read_bytes()
responses = {
    "content-length": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(job)).encode() +
                      b"\r\n\r\n" + job,
    "chunked-trailers": b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\n{\"a\":\r\n2\r\n1}\r\n"
                        b"0\r\nX-T: 1\r\n\r\n",
    "pipelined": (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 2\r\n\r\n{}") * 2,
    "http10-to-close": b"HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n" + job,
    "no-content": b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n",
    "bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nab\r\n",
}
for name, wire in responses.items():
    for selector in (0, 1, 6):
        (d / f"seed-{name}-{selector}").write_bytes(bytes([selector]) + wire)
# A status line with status 006 was read as a response (the reader now wants 100 to 999).
(d / "regression-status-below-100").write_bytes(bytes([6]) + b"HTTP/1.1 006 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}")
print(f"wrote the seeds and {len(regressions) + 1} regressions under {corpus}")
