/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "model-cases.h"

#include "golden-case-names.h"
#include "golden-compare.h"
#include "port-table-snapshot.h"
#include "table-driver.h"

#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace portlab
{

namespace
{

constexpr uint16_t PORT = 8888;
constexpr uint16_t UDP_PORT = 9000;
constexpr TimeNs SETTLE = 50 * NS_PER_MS; // the probe's time.sleep(0.05)
constexpr TimeNs GAP = 2 * NS_PER_MS;     // the probe's time.sleep(0.002)

/// TCP sockets per `ss` state, as the probe's "ss" field.
Json
Ss(TableDriver& h)
{
    Json ss = Json::object();
    for (const auto& [state, n] : CountTcpStates(h.Host()))
    {
        ss[state] = n;
    }
    return ss;
}

Json
TcpAndUdpSamePort(uint64_t seed)
{
    TableDriver h(seed);
    SocketId t = h.TcpSocket();
    SocketId u = h.UdpSocket();
    Json r = Json::object();
    r["tcp_bind"] = ErrnoName(h.Tcp().Bind(t, ADDR_ANY, PORT));
    r["tcp_listen"] = ErrnoName(h.Tcp().Listen(t, DEFAULT_BACKLOG));
    r["udp_bind"] = ErrnoName(h.Udp().Bind(u, ADDR_ANY, PORT));
    return r;
}

Json
BindMatrix(uint64_t seed)
{
    TableDriver h(seed);
    const std::pair<const char*, const char*> addrs[] = {{"0.0.0.0", "0.0.0.0"},
                                                         {"127.0.0.1", "127.0.0.1"},
                                                         {"127.0.0.1", "127.0.0.2"},
                                                         {"0.0.0.0", "127.0.0.1"},
                                                         {"127.0.0.1", "0.0.0.0"}};

    struct Opt
    {
        const char* name;
        bool ra;
        bool rp;
    };

    const Opt opts[] = {{"none", false, false},
                        {"ra", true, false},
                        {"rp", false, true},
                        {"both", true, true}};
    Json out = Json::object();
    for (const char* kind : {"tcp", "udp"})
    {
        bool tcp = std::string(kind) == "tcp";
        for (const auto& [a1, a2] : addrs)
        {
            Ipv4 ip1 = 0;
            Ipv4 ip2 = 0;
            ParseIpv4(a1, ip1);
            ParseIpv4(a2, ip2);
            for (const Opt& o1 : opts)
            {
                for (const Opt& o2 : opts)
                {
                    for (bool listenFirst :
                         tcp ? std::vector<bool>{false, true} : std::vector<bool>{false})
                    {
                        std::string key =
                            BindMatrixKey(kind, a1, o1.name, listenFirst, a2, o2.name);
                        Errno r2;
                        if (tcp)
                        {
                            SocketId s1 = h.TcpSocket(o1.ra, o1.rp);
                            SocketId s2 = h.TcpSocket(o2.ra, o2.rp);
                            h.Tcp().Bind(s1, ip1, PORT);
                            if (listenFirst)
                            {
                                h.Tcp().Listen(s1, DEFAULT_BACKLOG);
                            }
                            r2 = h.Tcp().Bind(s2, ip2, PORT);
                            h.Tcp().Destroy(s1);
                            h.Tcp().Destroy(s2);
                        }
                        else
                        {
                            SocketId s1 = h.UdpSocket(o1.ra, o1.rp);
                            SocketId s2 = h.UdpSocket(o2.ra, o2.rp);
                            h.Udp().Bind(s1, ip1, PORT);
                            r2 = h.Udp().Bind(s2, ip2, PORT);
                            h.Udp().Close(s1);
                            h.Udp().Close(s2);
                        }
                        out[key] = ErrnoName(r2);
                    }
                }
            }
        }
    }
    return out;
}

Json
ServerRestart(uint64_t seed, bool oldReuse, bool serverCloses, bool newReuse)
{
    TableDriver h(seed);
    SocketId ls = h.TcpSocket(oldReuse);
    h.Tcp().Bind(ls, LO1, PORT);
    h.Tcp().Listen(ls, DEFAULT_BACKLOG);
    SocketId c = h.TcpSocket();
    SocketId a = INVALID_ID;
    h.Connect(c, LO1, PORT, &a);
    if (serverCloses)
    {
        h.CloseInOrder(a, c, SETTLE);
    }
    else
    {
        h.CloseInOrder(c, a, SETTLE);
    }
    h.Tcp().Destroy(ls);
    Json r = Json::object();
    Json ss = Ss(h);
    SocketId fresh = h.TcpSocket(newReuse);
    r["bind"] = ErrnoName(h.Tcp().Bind(fresh, LO1, PORT));
    r["ss"] = ss;
    return r;
}

Json
ListenConflictAfterSharedBind(uint64_t seed)
{
    TableDriver h(seed);
    SocketId s1 = h.TcpSocket(true);
    SocketId s2 = h.TcpSocket(true);
    Json r = Json::object();
    r["bind1"] = ErrnoName(h.Tcp().Bind(s1, LO1, PORT));
    r["bind2"] = ErrnoName(h.Tcp().Bind(s2, LO1, PORT));
    r["listen1"] = ErrnoName(h.Tcp().Listen(s1, DEFAULT_BACKLOG));
    r["listen2"] = ErrnoName(h.Tcp().Listen(s2, DEFAULT_BACKLOG));
    return r;
}

Json
ClientPortReuse(uint64_t seed)
{
    TableDriver h(seed);
    h.Sysctl("net.ipv4.ip_local_port_range", "40000 40000");
    const std::pair<Ipv4, uint16_t> servers[] = {{LO1, 8888}, {LO2, 8888}, {LO1, 9999}};
    for (const auto& [ip, port] : servers)
    {
        h.Listener(ip, port);
    }
    Json res = Json::object();
    const std::pair<Ipv4, uint16_t> dests[] = {{LO1, 8888}, {LO2, 8888}, {LO1, 9999}, {LO1, 8888}};
    int n = 0;
    for (const auto& [ip, port] : dests)
    {
        SocketId c = h.TcpSocket();
        Errno e = h.Connect(c, ip, port);
        std::string v = ErrnoName(e);
        if (e == Errno::OK)
        {
            v += " local=" + std::to_string(h.Tcp().GetTuple(c).localPort);
        }
        res["connect#" + std::to_string(++n) + " " + FormatIpv4(ip) + ":" + std::to_string(port)] =
            v;
    }
    SocketId b = h.TcpSocket();
    res["bind(0) with the one port in use by connections"] =
        ErrnoName(h.Tcp().Bind(b, ADDR_ANY, 0));
    return res;
}

Json
ClientBindThenConnect(uint64_t seed)
{
    TableDriver h(seed);
    h.Sysctl("net.ipv4.ip_local_port_range", "40000 40001");
    h.Listener(LO1, PORT);
    h.Listener(LO2, PORT);
    Json res = Json::object();
    for (Ipv4 ip : {LO1, LO2, LO1})
    {
        SocketId c = h.TcpSocket();
        Errno rb = h.Tcp().Bind(c, ADDR_ANY, 0);
        std::string rc = rb == Errno::OK ? ErrnoName(h.Connect(c, ip, PORT)) : "-";
        res["bind(0)+connect " + FormatIpv4(ip)] =
            std::string("bind=") + ErrnoName(rb) + " connect=" + rc;
    }
    return res;
}

Json
TwExhaust(uint64_t seed, int twReuse, int nports, int ndest, double waitS)
{
    TableDriver h(seed);
    h.Sysctl("net.ipv4.ip_local_port_range", "40000 " + std::to_string(40000 + nports - 1));
    h.Sysctl("net.ipv4.tcp_tw_reuse", std::to_string(twReuse));
    for (int d = 0; d < ndest; ++d)
    {
        h.Listener(LO1, static_cast<uint16_t>(PORT + d), 1024);
    }
    int ok = 0;
    Json firstFail;
    for (int i = 0; i < nports * ndest + 3; ++i)
    {
        SocketId c = h.TcpSocket();
        SocketId a = INVALID_ID;
        Errno r = h.Connect(c, LO1, static_cast<uint16_t>(PORT + (i % ndest)), &a);
        if (r == Errno::OK)
        {
            ++ok;
            h.CloseInOrder(c, a, GAP);
        }
        else
        {
            if (firstFail.is_null())
            {
                firstFail = Json::array();
                firstFail.push_back(i);
                firstFail.push_back(ErrnoName(r));
            }
            h.Tcp().Destroy(c);
        }
    }
    Json res = Json::object();
    res["ok_before_wait"] = ok;
    res["first_fail"] = firstFail;
    res["ss"] = Ss(h);
    if (waitS > 0)
    {
        h.Sleep(static_cast<TimeNs>(waitS * NS_PER_SECOND));
        SocketId c = h.TcpSocket();
        char key[64];
        std::snprintf(key, sizeof(key), "connect_after_%gs", waitS);
        res[key] = ErrnoName(h.Connect(c, LO1, PORT));
    }
    return res;
}

Json
MaxTwBuckets(uint64_t seed)
{
    TableDriver h(seed);
    h.Sysctl("net.ipv4.tcp_max_tw_buckets", "5");
    h.Listener(LO1, PORT, 64);
    for (int i = 0; i < 12; ++i)
    {
        SocketId c = h.TcpSocket();
        SocketId a = INVALID_ID;
        h.Connect(c, LO1, PORT, &a);
        h.CloseInOrder(c, a, GAP);
    }
    h.Sleep(SETTLE);
    Json res = Json::object();
    res["ss"] = Ss(h);
    return res;
}

Json
UdpReuseDelivery(uint64_t seed)
{
    TableDriver h(seed);
    Json res = Json::object();
    for (bool reusePort : {false, true})
    {
        SocketId socks[3];
        for (auto& s : socks)
        {
            s = h.UdpSocket(!reusePort, reusePort);
            h.Udp().Bind(s, LO1, UDP_PORT);
        }
        int counts[3] = {0, 0, 0};
        for (int i = 0; i < 60; ++i)
        {
            SocketId c = h.UdpSocket();
            h.Udp().Bind(c, LO1, 0);
            SocketId to = h.Udp().Deliver(LO1, UDP_PORT, LO1, h.Udp().GetTuple(c).localPort);
            for (int j = 0; j < 3; ++j)
            {
                counts[j] += to == socks[j] ? 1 : 0;
            }
            h.Udp().Close(c);
        }
        Json arr = Json::array();
        for (int n : counts)
        {
            arr.push_back(n);
        }
        res[reusePort ? "reuseport" : "reuseaddr"] = arr;
        for (auto s : socks)
        {
            h.Udp().Close(s);
        }
    }
    return res;
}

Json
TcpReuseportBalance(uint64_t seed)
{
    TableDriver h(seed);
    std::vector<SocketId> ls;
    for (int i = 0; i < 4; ++i)
    {
        ls.push_back(h.Listener(LO1, PORT, 1024, true));
    }
    std::map<SocketId, int> accepted;
    for (int i = 0; i < 400; ++i)
    {
        SocketId c = h.TcpSocket();
        SocketId l = INVALID_ID;
        h.Connect(c, LO1, PORT, nullptr, &l);
        ++accepted[l];
    }
    Json counts = Json::array();
    for (SocketId l : ls)
    {
        counts.push_back(accepted[l]);
    }
    Json res = Json::object();
    res["accepted_per_listener"] = counts;
    return res;
}

Json
EphemeralParity(uint64_t seed)
{
    TableDriver h(seed);
    h.Listener(LO1, PORT, 1024);
    std::vector<int> connPorts;
    std::vector<int> bindPorts;
    std::vector<int> udpPorts;
    for (int i = 0; i < 50; ++i)
    {
        SocketId c = h.TcpSocket();
        h.Connect(c, LO1, PORT);
        connPorts.push_back(h.Tcp().GetTuple(c).localPort);
    }
    for (int i = 0; i < 50; ++i)
    {
        SocketId b = h.TcpSocket();
        h.Tcp().Bind(b, ADDR_ANY, 0);
        bindPorts.push_back(h.Tcp().GetTuple(b).localPort);
    }
    for (int i = 0; i < 50; ++i)
    {
        SocketId u = h.UdpSocket();
        h.Udp().Bind(u, ADDR_ANY, 0);
        udpPorts.push_back(h.Udp().GetTuple(u).localPort);
    }
    Json range = Json::array();
    range.push_back(std::to_string(h.Host().Sysctls().ipLocalPortRangeLow));
    range.push_back(std::to_string(h.Host().Sysctls().ipLocalPortRangeHigh));
    Json res = Json::object();
    res["connect"] = ParityJson(connPorts);
    res["bind0"] = ParityJson(bindPorts);
    res["udp_bind0"] = ParityJson(udpPorts);
    res["connect_sequential_steps"] = SequentialSteps(connPorts);
    res["range"] = range;
    return res;
}

using CaseFn = std::function<Json(uint64_t)>;

const std::vector<std::pair<std::string, CaseFn>>&
Cases()
{
    static const std::vector<std::pair<std::string, CaseFn>> cases = [] {
        std::vector<std::pair<std::string, CaseFn>> v;
        v.emplace_back("tcp_and_udp_same_port", TcpAndUdpSamePort);
        v.emplace_back("bind_matrix", BindMatrix);
        for (bool oldReuse : {false, true})
        {
            for (bool server : {true, false})
            {
                for (bool newReuse : {false, true})
                {
                    std::string name = ServerRestartCaseName(oldReuse, server, newReuse);
                    v.emplace_back(name, [=](uint64_t seed) {
                        return ServerRestart(seed, oldReuse, server, newReuse);
                    });
                }
            }
        }
        v.emplace_back("listen_conflict_after_shared_bind", ListenConflictAfterSharedBind);
        v.emplace_back("client_port_reuse", ClientPortReuse);
        v.emplace_back("client_bind_then_connect", ClientBindThenConnect);
        v.emplace_back("tw_exhaust_one_dest_reuse0",
                       [](uint64_t s) { return TwExhaust(s, 0, 10, 1, 1.5); });
        v.emplace_back("tw_exhaust_one_dest_reuse1",
                       [](uint64_t s) { return TwExhaust(s, 1, 10, 1, 1.5); });
        v.emplace_back("tw_exhaust_one_dest_reuse2_loopback",
                       [](uint64_t s) { return TwExhaust(s, 2, 10, 1, 1.5); });
        v.emplace_back("tw_exhaust_two_dest_reuse0",
                       [](uint64_t s) { return TwExhaust(s, 0, 10, 2, 0); });
        v.emplace_back("max_tw_buckets", MaxTwBuckets);
        v.emplace_back("udp_reuse_delivery", UdpReuseDelivery);
        v.emplace_back("tcp_reuseport_balance", TcpReuseportBalance);
        v.emplace_back("ephemeral_parity", EphemeralParity);
        return v;
    }();
    return cases;
}

} // namespace

std::vector<std::string>
ModelCaseNames()
{
    std::vector<std::string> names;
    for (const auto& c : Cases())
    {
        names.push_back(c.first);
    }
    return names;
}

std::vector<std::string>
TransportOnlyCaseNames()
{
    return {"linger_zero_no_timewait", "refused_tcp_and_udp"};
}

Json
RunModelCase(const std::string& name, uint64_t seed)
{
    for (const auto& c : Cases())
    {
        if (c.first == name)
        {
            return c.second(seed);
        }
    }
    throw std::invalid_argument("no model case named '" + name + "'");
}

} // namespace portlab
