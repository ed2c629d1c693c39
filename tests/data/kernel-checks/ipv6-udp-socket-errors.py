#!/usr/bin/env python3
# portlab: Linux port semantics for ns-3.
# SPDX-License-Identifier: GPL-2.0-only
"""UDP AF_INET6 socket errors the transport's LinuxUdpSocket follows where the dual-stack
reference is silent, asked of the running kernel in a private network namespace:
  IPV6_V6ONLY on AF_INET (ENOPROTOOPT), after bind / connect / sendto's autobind (EINVAL),
  after a failed bind (allowed);
  connect() and sendto() to a v4-mapped peer on a dual-stack and a v6-only AF_INET6 socket;
  connect() to a native IPv6 peer from a socket bound to ::ffff:127.0.0.1;
  a connected socket's error after an ICMPv6 port unreachable (recv, then the next recv).
Run as root: unshare -n python3 ipv6-udp-socket-errors.py > ipv6-udp-socket-errors.jsonl
"""
import errno
import json
import os
import platform
import socket
import subprocess
import time


def err(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def out(case, result):
    print(json.dumps({"case": case, "result": result}), flush=True)


def main():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    time.sleep(0.2)
    out("kernel", platform.release())
    V6 = socket.IPPROTO_IPV6
    ONLY = socket.IPV6_V6ONLY
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out("IPV6_V6ONLY on AF_INET", err(lambda: s4.setsockopt(V6, ONLY, 1)))
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::", 5000))
    out("IPV6_V6ONLY after bind (same value 0)", err(lambda: s.setsockopt(V6, ONLY, 0)))
    c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    c.connect(("::1", 5001))
    out("IPV6_V6ONLY after connect", err(lambda: c.setsockopt(V6, ONLY, 1)))
    t = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    t.sendto(b"x", ("::1", 5001))
    out("IPV6_V6ONLY after sendto autobind", err(lambda: t.setsockopt(V6, ONLY, 1)))
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("0.0.0.0", 5002))
    f = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    out("bind [::]:5002 next to 0.0.0.0:5002", err(lambda: f.bind(("::", 5002))))
    out("IPV6_V6ONLY after that failed bind", err(lambda: f.setsockopt(V6, ONLY, 1)))
    out("bind [::]:5002 v6only then", err(lambda: f.bind(("::", 5002))))
    # v4-mapped peers on dual-stack and v6-only sockets; a v4-mapped socket to a native peer.
    d = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    out("dual-stack connect ::ffff:127.0.0.1", err(lambda: d.connect(("::ffff:127.0.0.1", 5003))))
    o = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    o.setsockopt(V6, ONLY, 1)
    out("v6only connect ::ffff:127.0.0.1", err(lambda: o.connect(("::ffff:127.0.0.1", 5003))))
    o2 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    o2.setsockopt(V6, ONLY, 1)
    out("v6only sendto ::ffff:127.0.0.1", err(lambda: o2.sendto(b"x", ("::ffff:127.0.0.1", 5003))))
    m = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    m.bind(("::ffff:127.0.0.1", 0))
    out("bound ::ffff:127.0.0.1, connect ::1", err(lambda: m.connect(("::1", 5003))))
    m2 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    m2.bind(("::ffff:127.0.0.1", 0))
    out("bound ::ffff:127.0.0.1, sendto ::1", err(lambda: m2.sendto(b"x", ("::1", 5003))))
    r = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    r.connect(("::1", 5009))
    r.send(b"x")
    time.sleep(0.1)
    r.setblocking(False)
    out("connected to a closed [::1] port: recv after ICMPv6", err(lambda: r.recv(10)))
    out("the next recv", err(lambda: r.recv(10)))


if __name__ == "__main__":
    main()
