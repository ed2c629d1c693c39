#!/usr/bin/env python3
"""Reference answers for the multi-address SNAT choice (find_best_ips_proto), computed with
nat_probe.py's jhash2 and snat_addr_pick (Linux's jhash2 over union nf_inet_addr, initval
dst ^ zone, or 0 with `persistent`), so the C++ FindBestIpsProto and Jhash2 are checked
against an independent implementation. No kernel needed:

    python3 tests/data/nat-jhash2-reference.py > tests/data/nat-jhash2-reference.jsonl
"""
import json, os, socket, struct, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nat_probe  # noqa: E402

le = lambda ip: struct.unpack("<I", socket.inet_aton(ip))[0]
for words, initval in (([0, 0, 0, 0], 0), ([1, 2, 3, 4], 0), ([le("10.1.0.2"), 0, 0, 0], le("10.2.0.2")),
                       ([0xdeadbeef, 0x12345678, 0, 0, 7], 42), ([5], 9), ([5, 6], 9), ([5, 6, 7], 9)):
    print(json.dumps({"jhash2": words, "initval": initval, "hash": nat_probe.jhash2(words, initval)}))
for src in ("10.1.0.2", "10.1.0.3", "10.1.1.2", "192.168.7.40"):
    for dst in ("10.2.0.2", "10.2.0.3", "93.184.216.34"):
        for lo, hi in (("10.2.0.1", "10.2.0.4"), ("198.51.100.10", "198.51.100.17")):
            for persistent in (False, True):
                print(json.dumps({"src": src, "dst": dst, "min": lo, "max": hi, "persistent": persistent,
                                  "addr": nat_probe.snat_addr_pick(src, dst, lo, hi, persistent)}))
