#!/usr/bin/env python3
# How a server's TIME_WAIT treats a new SYN for its 4-tuple, and how TSval offsets are keyed.
# Two network namespaces (client 10.9.0.1, server 10.9.0.2, a veth pair); the server accepts on
# port 80 and closes first, so every connection leaves a TIME_WAIT on the server. A packet
# socket on the client's veth logs every segment (flags, seq, TSval/TSecr). Run as root:
#   python3 tests/data/kernel-checks/timewait-syn-timestamps.py > tests/data/kernel-checks/timewait-syn-timestamps.jsonl
# (about 70 s; needs nftables)
# One JSON object a line:
#   {"check": "environment", ...}                         kernel, CONFIG_HZ
#   {"check": "offsets", "tcp_timestamps": T, "syns": [[sport, ms since first SYN, TSval]...]}
#        16 connections from distinct ports started within a few ms: with an offset per address
#        pair TSval - ms would be one value, per 4-tuple the values are unrelated.
#   {"check": "same_tuple" | "other_tuples", "tcp_timestamps": T, "round": n, "class": C,
#    "syn_tsval": v, "ts_recent": r, "newer": tsval > ts_recent, "connect_ms": ms,
#    "resyn_ms": ms from the first SYN to the second (fast_retry only), "server_isn_minus_tw_snd_nxt": d}
#        same_tuple: the client binds the same port each time (SO_REUSEADDR), so each SYN meets
#        the TIME_WAIT of its own 4-tuple. other_tuples: the client's ports vary and an nftables
#        snat in the client's namespace maps them all to 10.9.0.1:40000 (conntrack time_wait and
#        close timeouts 1 s, 1.5 s between connections), so each SYN meets the TIME_WAIT left by
#        another 4-tuple of the client, as behind a NAT gateway. C is "immediate" (the TIME_WAIT
#        accepted the SYN: SYN-ACK), "fast_retry" (bare ACK, the client's RST, its SYN again
#        TCP_TIMEOUT_MIN later, then SYN-ACK) or what the segments were.
#   {"check": "rfc1337", "round": n, "result": errno name or "ok", "connect_ms": ms,
#    "segments": [[ms since the first SYN, "c:S" ...]...]}
#        other_tuples again with net.ipv4.tcp_rfc1337=1 on the server and tcp_syn_retries=2 on
#        the client, until a SYN is rejected: the client's RST no longer kills the TIME_WAIT, so
#        every SYN of that connect() meets it; the TIME_WAIT answers at most one ACK per
#        tcp_invalid_ratelimit (500 ms) (tcp_timewait_check_oow_rate_limit).
import errno, json, os, socket, struct, subprocess, sys, threading, time

C, S = "kfc%dc" % os.getpid(), "kfc%ds" % os.getpid()
CLIENT, SERVER = "10.9.0.1", "10.9.0.2"


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)


def sysctl(ns, name, value):
    sh("ip netns exec %s sysctl -qw %s=%s" % (ns, name, value))


if len(sys.argv) > 1 and sys.argv[1] == "--server":
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((SERVER, 80))
    l.listen(64)
    print("ready", flush=True)
    while True:
        c, _ = l.accept()
        c.close()  # the server closes first: its side ends in TIME_WAIT

segs, lock = [], threading.Lock()


def capture(stop):
    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    p.bind(("v0", 0))
    p.settimeout(0.1)
    while not stop.is_set():
        try:
            f = p.recv(2048)
        except socket.timeout:
            continue
        now = time.monotonic()
        if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 15) * 4
        t = 14 + ihl
        src = socket.inet_ntoa(f[26:30])
        sport, dport, seq, ack = struct.unpack("!HHII", f[t:t + 12])
        doff = (f[t + 12] >> 4) * 4
        flags = f[t + 13]
        tsval = tsecr = None
        o = t + 20
        while o < t + doff:
            kind = f[o]
            if kind == 0:
                break
            if kind == 1:
                o += 1
                continue
            if kind == 8:
                tsval, tsecr = struct.unpack("!II", f[o + 2:o + 10])
            o += f[o + 1]
        with lock:
            segs.append({"t": now, "from": "client" if src == CLIENT else "server", "sport": sport,
                         "dport": dport, "flags": flags, "seq": seq, "ack": ack, "tsval": tsval})


def name(flags):
    return "".join(c for c, b in (("S", 2), ("F", 1), ("R", 4), ("A", 16)) if flags & b)


def classify(w):
    hs = [s for s in w if s["flags"] & (2 | 4) or (s["from"] == "server" and s["flags"] == 16)]
    pattern = " ".join(s["from"][0] + ":" + name(s["flags"]) for s in hs[:5])
    if pattern.startswith("c:S s:SA"):
        return "immediate", pattern
    if pattern.startswith("c:S s:A c:R c:S s:SA"):
        return "fast_retry", pattern
    return pattern, pattern


def rounds(check, ts, n, gap, port):
    last_tsval = None  # the client's last TSval towards the server: the TIME_WAIT's ts_recent
    last_snd_nxt = None
    for i in range(n):
        with lock:
            start = len(segs)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if port:
            s.bind((CLIENT, port))
        t0 = time.monotonic()
        s.connect((SERVER, 80))
        el = time.monotonic() - t0
        s.recv(1)  # the server's FIN
        s.close()
        time.sleep(gap)
        with lock:
            w = segs[start:]
        cls, pattern = classify(w)
        syns = [x for x in w if x["from"] == "client" and x["flags"] == 2]
        synack = [x for x in w if x["from"] == "server" and x["flags"] == 18]
        rec = {"check": check, "tcp_timestamps": ts, "round": i, "class": cls,
               "segments": pattern, "syn_tsval": syns[0]["tsval"] if syns else None,
               "ts_recent": last_tsval, "connect_ms": round(el * 1000, 1)}
        if last_tsval is not None and syns and syns[0]["tsval"] is not None:
            rec["newer"] = ((syns[0]["tsval"] - last_tsval) & 0xffffffff) not in (0,) and \
                ((syns[0]["tsval"] - last_tsval) & 0xffffffff) < 0x80000000
        if cls == "fast_retry":
            rec["resyn_ms"] = round((syns[1]["t"] - syns[0]["t"]) * 1000, 1)
        if synack and last_snd_nxt is not None:
            rec["server_isn_minus_tw_snd_nxt"] = (synack[-1]["seq"] - last_snd_nxt) & 0xffffffff
        if i > 0:  # round 0 meets no TIME_WAIT of this check
            print(json.dumps(rec), flush=True)
        cl = [x for x in w if x["from"] == "client" and x["tsval"] is not None]
        last_tsval = cl[-1]["tsval"] if cl else None
        sv = [x for x in w if x["from"] == "server" and x["flags"] & 1]
        last_snd_nxt = (sv[-1]["seq"] + 1) & 0xffffffff if sv else None


def client():
    stop = threading.Event()
    th = threading.Thread(target=capture, args=(stop,), daemon=True)
    th.start()
    time.sleep(0.3)
    for ts in (1, 2):
        with open("/proc/sys/net/ipv4/tcp_timestamps", "w") as f:
            f.write(str(ts))
        with lock:
            start = len(segs)
        socks = []
        for _ in range(16):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect((SERVER, 81))  # nobody listens: a SYN and a RST each
            except BlockingIOError:
                pass
            socks.append(s)
        time.sleep(0.2)
        for s in socks:
            s.close()
        with lock:
            syns = [x for x in segs[start:] if x["from"] == "client" and x["flags"] == 2]
        t0 = syns[0]["t"]
        print(json.dumps({"check": "offsets", "tcp_timestamps": ts,
                          "syns": [[x["sport"], round((x["t"] - t0) * 1000, 1), x["tsval"]]
                                   for x in syns]}), flush=True)
    with open("/proc/sys/net/ipv4/tcp_timestamps", "w") as f:
        f.write("1")
    rounds("same_tuple", 1, 11, 0.05, 45000)
    sh("nft add table ip kfc; nft add chain ip kfc post '{ type nat hook postrouting priority 100; }';"
       " nft add rule ip kfc post ip daddr %s tcp dport 80 snat to %s:40000" % (SERVER, CLIENT))
    for name_, v in (("tcp_timeout_time_wait", 1), ("tcp_timeout_close", 1)):
        with open("/proc/sys/net/netfilter/nf_conntrack_" + name_, "w") as f:
            f.write(str(v))
    rounds("other_tuples", 1, 25, 1.5, 0)
    with open("/proc/sys/net/ipv4/tcp_timestamps", "w") as f:
        f.write("2")
    rounds("other_tuples", 2, 11, 1.5, 0)
    with open("/proc/sys/net/ipv4/tcp_timestamps", "w") as f:
        f.write("1")
    with open("/proc/sys/net/ipv4/tcp_syn_retries", "w") as f:
        f.write("2")
    sh("ip netns exec %s sysctl -qw net.ipv4.tcp_rfc1337=1" % os.environ["KFC_SERVER_NS"])
    for i in range(12):
        with lock:
            start = len(segs)
        s = socket.socket()
        t0 = time.monotonic()
        try:
            s.connect((SERVER, 80))
            r = "ok"
        except OSError as e:
            r = errno.errorcode[e.errno]
        el = time.monotonic() - t0
        if r == "ok":
            s.recv(1)
        s.close()
        time.sleep(1.5)
        with lock:
            w = [x for x in segs[start:] if x["dport"] == 80 or x["sport"] == 80]
        first = w[0]["t"] if w else t0
        if i > 0:
            print(json.dumps({"check": "rfc1337", "round": i, "result": r,
                              "connect_ms": round(el * 1000, 1),
                              "segments": [[round((x["t"] - first) * 1000, 1),
                                            x["from"][0] + ":" + name(x["flags"])] for x in w]}),
                  flush=True)
        if r != "ok":
            break
    stop.set()
    th.join()


if len(sys.argv) > 1 and sys.argv[1] == "--client":
    client()
    sys.exit(0)

hz = subprocess.run("zcat /proc/config.gz 2>/dev/null | sed -n 's/^CONFIG_HZ=//p'", shell=True,
                    capture_output=True, text=True).stdout.strip()
print(json.dumps({"check": "environment", "kernel": os.uname().release,
                  "config_hz": int(hz) if hz else None}), flush=True)
server = None
try:
    sh("ip netns add %s; ip netns add %s" % (C, S))
    sh("ip link add v0 netns %s type veth peer name v1 netns %s" % (C, S))
    sh("ip -n %s addr add %s/24 dev v0; ip -n %s link set v0 up; ip -n %s link set lo up"
       % (C, CLIENT, C, C))
    sh("ip -n %s addr add %s/24 dev v1; ip -n %s link set v1 up; ip -n %s link set lo up"
       % (S, SERVER, S, S))
    server = subprocess.Popen(["ip", "netns", "exec", S, sys.executable, __file__, "--server"],
                              stdout=subprocess.PIPE, text=True)
    server.stdout.readline()
    sys.stdout.flush()
    client_run = subprocess.run(["ip", "netns", "exec", C, sys.executable, __file__, "--client"],
                                env=dict(os.environ, KFC_SERVER_NS=S))
finally:
    if server:
        server.kill()
        server.wait()
    subprocess.run("ip netns del %s; ip netns del %s" % (C, S), shell=True)
sys.exit(client_run.returncode)
