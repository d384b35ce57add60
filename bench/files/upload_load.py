#!/usr/bin/env python3
"""Uploads of PDF files to a running motcua (issue 13 §5): creates dossiers, then for SECONDS
uploads distinct SIZE-byte PDFs from CONNECTIONS keep-alive connections, each upload a durable
write (the file fsynced, then the attach_file command group-committed). Prints one line:
uploads/s MB/s p50_ms p99_ms errors.

    upload_load.py PORT TOKEN [connections=1] [seconds=20] [size=5000000] [dossiers=100]
"""
import http.client
import json
import os
import sys
import threading
import time

port, token = int(sys.argv[1]), sys.argv[2]
connections = int(sys.argv[3]) if len(sys.argv) > 3 else 1
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 20
size = int(sys.argv[5]) if len(sys.argv) > 5 else 5_000_000
dossiers = int(sys.argv[6]) if len(sys.argv) > 6 else 100
auth = {"Authorization": "Bearer " + token}
run = os.urandom(4).hex()

c = http.client.HTTPConnection("127.0.0.1", port)
ids = []
for i in range(dossiers):
    body = json.dumps({"procedure_code": "2.000908", "receiving_agency": "000.17.22.H56",
                       "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345"},
                       "documents": [{"document_id": "identity_paper"}]})
    c.request("POST", "/v1/dossiers", body, {**auth, "Idempotency-Key": f"{run}-d{i}",
                                             "Content-Type": "application/json"})
    r = c.getresponse()
    answer = json.loads(r.read())
    if r.status != 201:
        sys.exit(f"create: {r.status} {answer}")
    ids.append(answer["dossier"]["id"])

middle = os.urandom(size - 64)
latencies, errors, lock = [], [0], threading.Lock()
deadline = time.monotonic() + seconds
counter = [0]


def worker(n):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    while time.monotonic() < deadline:
        with lock:
            k = counter[0]
            counter[0] += 1
        pdf = b"%PDF-1.7\n%" + f"{run}-{k:012d}".encode() + b"\n" + middle + b"\n%%EOF\n"
        target = f"/v1/dossiers/{ids[k % len(ids)]}/documents/identity_paper/files?name=scan-{k}.pdf"
        t0 = time.monotonic()
        conn.request("PUT", target, pdf, {**auth, "Idempotency-Key": f"{run}-u{k}"})
        r = conn.getresponse()
        r.read()
        dt = time.monotonic() - t0
        with lock:
            if r.status == 201:
                latencies.append(dt)
            else:
                errors[0] += 1


threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - t0
latencies.sort()
n = len(latencies)
p = lambda q: latencies[min(n - 1, int(q * n))] * 1000 if n else 0
print(f"{n / elapsed:.1f} {n * size / elapsed / 1e6:.1f} {p(0.5):.1f} {p(0.99):.1f} {errors[0]}")
