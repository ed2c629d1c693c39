#!/usr/bin/env python3
# Which UDP sockets on one port receive an IPv4 broadcast datagram when AF_INET6 sockets share
# the port: a v6-only [::] socket never does (__udp_is_mcast_sock rejects ipv6_only_sock), a
# dual-stack [::] socket does, and an AF_INET 0.0.0.0 socket does. The recorded dual-stack
# probe covers unicast only. Run as root:
#   unshare -n python3 tests/data/kernel-checks/dual-stack-broadcast.py > dual-stack-broadcast.out
# The namespace has lo and a veth v0 with 10.1.1.1/24 (broadcast 10.1.1.255), as in
# closed-and-odd-addresses.py.
import json, select, socket, subprocess

subprocess.run("ip link set lo up; ip link add v0 type veth peer name v1; ip addr add 10.1.1.1/24"
               " brd 10.1.1.255 dev v0; ip link set v0 up; ip link set v1 up", shell=True, check=True)
PORT = 9000

def sock(family, v6only=None):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", PORT))
    return s

socks = {"0.0.0.0": sock(socket.AF_INET), "[::] dual-stack": sock(socket.AF_INET6, False),
         "[::] v6only": sock(socket.AF_INET6, True)}
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
tx.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"v0")  # 255.255.255.255 needs a device
result = {}
for dst in ("255.255.255.255", "10.1.1.255"):
    tx.sendto(b"x", (dst, PORT))
    got = {}
    for name, s in socks.items():
        r, _, _ = select.select([s], [], [], 0.2)
        got[name] = 0
        while r:
            s.recvfrom(100)
            got[name] += 1
            r, _, _ = select.select([s], [], [], 0.05)
    result["broadcast to " + dst] = got
print(json.dumps(result, indent=1, sort_keys=True))
