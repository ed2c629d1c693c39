#!/usr/bin/env python3
"""What `conntrack -L` prints, line for line, for the entries ConntrackTable::Snapshot imitates:
a masqueraded TCP connection (ESTABLISHED, ASSURED) and an unreplied UDP flow, from fixed
client ports through nat_probe.py's topology. One JSON line: the kernel, conntrack's version
and the lines (sorted). Root, iproute2, nftables and conntrack-tools:

    python3 tests/data/nat-conntrack-list.py > tests/data/nat-conntrack-list.jsonl
"""
import json, os, platform, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nat_probe as P  # noqa: E402

try:
    ctx = P.Ctx()
    with P.Topo(ctx) as T:
        T.nat('oifname "s0" meta l4proto { tcp, udp } masquerade')
        T.listen(80)
        T.udp_server(5353)
        c = T.connect(0, sport=35483)
        u = T.sock(T.c[0], socket.SOCK_DGRAM)
        u.bind((T.caddr[0][0], 12345))
        u.sendto(b"x", ("10.2.0.2", 5353))
        T.udp_recv_all(5353, 0.2)
        time.sleep(0.3)
        out = P.run(["conntrack", "-L"], T.g)
        version = P.run(["conntrack", "--version"]).strip()
        print(json.dumps({"kernel": platform.release(), "conntrack": version, "connect": c["res"],
                          "lines": sorted(l for l in out.splitlines() if l.strip())}))
finally:
    P.cleanup_all()
