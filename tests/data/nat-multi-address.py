#!/usr/bin/env python3
"""Which SNAT address the live kernel picks with several addresses (find_best_ips_proto), for
ConntrackTable::FindBestIpsProto: `snat to 10.2.0.10-10.2.0.13` (with and without
`persistent`) on the gateway of nat_probe.py's topology, connections from 8 client addresses
to 3 servers, each connection's source address as the server sees it. One JSON line per
connection after a line with the kernel; `predicted` is nat_probe.snat_addr_pick's answer.
Root, iproute2 and nftables (no conntrack-tools needed):

    python3 tests/data/nat-multi-address.py > tests/data/nat-multi-address.jsonl
"""
import json, os, platform, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nat_probe as P  # noqa: E402

SERVERS = (2, 3, 4)
CLIENT_HOSTS = tuple(range(2, 10))
print(json.dumps({"kernel": platform.release(), "rule": "snat to 10.2.0.10-10.2.0.13 [persistent]",
                  "servers": ["10.2.0.%d" % h for h in SERVERS],
                  "clients": ["10.1.0.%d" % h for h in CLIENT_HOSTS]}))
try:
    for persistent in (False, True):
        ctx = P.Ctx()
        with P.Topo(ctx, clients=(CLIENT_HOSTS,), servers=SERVERS, gw_extra=(10, 11, 12, 13)) as T:
            T.nat('oifname "s0" meta l4proto tcp snat to 10.2.0.10-10.2.0.13' +
                  (" persistent" if persistent else ""))
            T.listen(80)
            for src in T.caddr[0]:
                for dst in T.saddr:
                    c = T.connect(0, src=src, dst=(dst, 80))
                    print(json.dumps({"persistent": persistent, "src": src, "dst": dst, "res": c["res"],
                                      "nat_ip": c.get("nat_ip"),
                                      "predicted": P.snat_addr_pick(src, dst, "10.2.0.10", "10.2.0.13",
                                                                    persistent)}))
finally:
    P.cleanup_all()
