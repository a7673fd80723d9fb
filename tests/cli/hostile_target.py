#!/usr/bin/env python3
"""A Jobs API target that answers with bytes no server should send, a different kind of answer to each request in
turn: error bodies that are not UTF-8, NUL and 0xff in headers, a huge header, bodies cut short, garbage status
lines, JSON strings holding control characters and markup, JSON nested 200,000 deep. Prints its port, then serves until killed.
Usage: hostile_target.py (binds 127.0.0.1 on a free port)"""
import itertools, socket, threading

JOB = (b'{"job":{"uid":"u\\u0000\\u001b<b>","status":"processing","progress":0.5,"retry_after":1,'
       b'"status_url":"/1/jobs/u\\u0000]]>","exception":"\\u0007&amp;]]><script>"}}')


def answer(status_line, headers, body, length=None):
    head = status_line + b"\r\n" + b"".join(h + b"\r\n" for h in headers)
    head += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % (len(body) if length is None else length)
    return head + body


ANSWERS = [
    # An error body that is not UTF-8: an overlong form, 0xff, 0xfe (what once aborted a run).
    answer(b"HTTP/1.1 400 Bad Request", [b"Content-Type: application/json"],
           b'{"error":"invalid_resource","error_description":"\xc0\xaf \xff\xfe"}'),
    # NUL and 0xff in header names and values, a job whose strings hold control characters and markup.
    answer(b"HTTP/1.1 202 Accepted", [b"Content-Type: application/json\x00\xff", b"Retry-After: 1\xff",
                                       b"X-\xff\xfe: \x00\x01\x1b[31m\xef\xbf\xbf"], JOB),
    # A huge header (far over any client's header limit).
    answer(b"HTTP/1.1 200 OK", [b"X-Huge: " + b"\xff" * 200000], b"{}"),
    # A body cut short: 500 bytes declared, 20 sent, then the connection closes.
    answer(b"HTTP/1.1 200 OK", [b"Content-Type: application/json"], b'{"job": {"uid": "\xff', length=500),
    # A garbage status line.
    answer(b"HTTP/1.1 2\xff0 \x00OK", [b"Content-Type: application/json"], JOB),
    # A body that is neither JSON nor UTF-8, with markup and a CDATA end.
    answer(b"HTTP/1.1 500 Internal Server Error", [b"Content-Type: text/html; charset=\xff"],
           b"\xff\xfe\x00\x01 <b>bold</b> & ]]> \xed\xa0\x80 \xf4\x90\x80\x80 \xef\xbf\xbe"),
    # An error envelope whose strings are JSON escapes of control characters and noncharacters.
    answer(b"HTTP/1.1 403 Forbidden", [b"Content-Type: application/json"],
           b'{"error":"access_denied\\u0000","error_description":"\\u001b[2J\\uffff\\ud800"}'),
    # A job nested 200,000 deep in status and progress (dump() recursing into it once overflowed the stack).
    answer(b"HTTP/1.1 202 Accepted", [b"Content-Type: application/json"],
           b'{"job":{"uid":"deep","status":' + b"[" * 200000 + b"]" * 200000 + b',"progress":' + b'{"a":' * 100000 +
           b"1" + b"}" * 100000 + b"}}"),
    # A redirect to a Location that is not UTF-8.
    answer(b"HTTP/1.1 302 Found", [b"Location: /1/\xff\x00elsewhere"], b""),
]


def serve(conn, kind):
    try:
        conn.settimeout(5)
        seen = b""
        while b"\r\n\r\n" not in seen:
            chunk = conn.recv(65536)
            if not chunk:
                return
            seen += chunk
        conn.sendall(ANSWERS[kind % len(ANSWERS)])
    except OSError:
        pass
    finally:
        conn.close()


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    print(listener.getsockname()[1], flush=True)
    for n in itertools.count():
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, n), daemon=True).start()


if __name__ == "__main__":
    main()
