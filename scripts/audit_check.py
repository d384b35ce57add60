#!/usr/bin/env python3
"""Checks a dossier's history exported by `motcua audit export` (docs/audit.md).

    python3 audit_check.py export.json [--checkpoint POSITION:HASH ...]

Recomputes every event's chain hash from its content and the hash before it, checks that the
last one is the dossier's history hash, and that each event's global hash follows from the one
before it in the global chain. A checkpoint given (one an auditor copied from
GET /v1/audit/checkpoints or the server's log) must agree with an event's global hash at that
position, when the export has one there. Needs only Python's standard library. Exit 0: the
history is as it was written; 1: it is not (each problem is printed).
"""
import base64
import hashlib
import json
import sys


def check(export, checkpoints):
    problems = []
    previous = bytes(32)
    for e in export["events"]:
        name = f"event {e['version']} ({e['type']})"
        content = base64.b64decode(e["content"])
        recomputed = hashlib.sha256(previous + content).hexdigest()
        if recomputed != e["chain_hash"]:
            problems.append(f"{name}: its content and the hash before it give {recomputed}, "
                            f"not its chain_hash {e['chain_hash']}")
        previous = bytes.fromhex(e["chain_hash"])
        position = int(e.get("position", 0))
        if position:
            linked = hashlib.sha256(bytes.fromhex(e["previous_global_hash"]) +
                                    position.to_bytes(8, "big") + previous).hexdigest()
            if linked != e["global_hash"]:
                problems.append(f"{name}: its global hash at position {position} does not "
                                f"follow from its chain hash")
            if position in checkpoints and checkpoints[position] != e["global_hash"]:
                problems.append(f"{name}: the checkpoint at position {position} says "
                                f"{checkpoints[position]}, the export {e['global_hash']}")
    if previous.hex() != export["history_hash"]:
        problems.append(f"the last chain hash {previous.hex()} is not the dossier's history hash "
                        f"{export['history_hash']}")
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    checkpoints = {}
    for arg in argv[2:]:
        if arg == "--checkpoint":
            continue
        position, colon, digest = arg.partition(":")
        if not colon or not position.isdigit() or len(digest) != 64:
            print(f"expected POSITION:HASH (64 hex digits), got {arg!r}", file=sys.stderr)
            return 2
        checkpoints[int(position)] = digest
    with open(argv[1], encoding="utf-8") as f:
        export = json.load(f)
    problems = check(export, checkpoints)
    for p in problems:
        print("PROBLEM", p)
    if problems:
        return 1
    print(f"OK: {len(export['events'])} events of dossier {export['dossier_id']} chain to "
          f"{export['history_hash']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
