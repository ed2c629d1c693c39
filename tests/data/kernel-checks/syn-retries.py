#!/usr/bin/env python3
# When a blocking connect() to a silent peer gives up (ETIMEDOUT) for each tcp_syn_retries, and
# when each SYN left (from the nstat TcpRetransSegs counter is too coarse: a packet socket on
# the peer end of a veth records the SYN times). Run as root:
#   unshare -n python3 tests/data/kernel-checks/syn-retries.py > syn-retries.out
# Linux 6.18 defaults: tcp_syn_linear_timeouts=4 (the first 4 retransmissions 1 s apart).
import errno, socket, subprocess, sys, threading, time

subprocess.run("ip link set lo up; ip link add v0 type veth peer name v1;"
               " ip addr add 10.1.1.1/24 dev v0; ip link set v0 up; ip link set v1 up;"
               " ip neigh add 10.1.1.2 lladdr 02:00:00:00:00:02 dev v0", shell=True, check=True)
print("tcp_syn_linear_timeouts", open("/proc/sys/net/ipv4/tcp_syn_linear_timeouts").read().strip())

def syn_times(stop, times, t0):
    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    p.bind(("v1", 0))
    p.settimeout(0.2)
    while not stop.is_set():
        try:
            f = p.recv(2048)
        except socket.timeout:
            continue
        if f[14 + 9] == 6 and f[14 + 20 + 13] & 0x02:  # TCP SYN (IHL 5)
            times.append(time.monotonic() - t0[0])

for retries in [int(a) for a in sys.argv[1:]] or [1, 2, 3, 4, 5, 6]:
    with open("/proc/sys/net/ipv4/tcp_syn_retries", "w") as f:
        f.write(str(retries))
    stop, times, t0 = threading.Event(), [], [0.0]
    th = threading.Thread(target=syn_times, args=(stop, times, t0)); th.start()
    time.sleep(0.3)
    s = socket.socket()
    t0[0] = time.monotonic()
    try:
        s.connect(("10.1.1.2", 80))
        r = "ok"
    except OSError as e:
        r = errno.errorcode[e.errno]
    t = time.monotonic() - t0[0]
    stop.set(); th.join()
    print("tcp_syn_retries=%d: %s after %.1f s; SYNs at %s" %
          (retries, r, t, ", ".join("%.1f" % x for x in times)), flush=True)
