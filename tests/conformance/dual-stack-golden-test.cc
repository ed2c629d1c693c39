/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The dual-stack recording (tests/data/linux-6.18-dualstack.jsonl, copied from the
 * shared linux-6.18-dualstack.jsonl: see tests/data/README.md) replayed on one host's port
 * tables: the 2,352-pair bind matrix, the 959-pair listen matrix and the 30 ::ffff:0.0.0.0
 * pairs, every pair run as linux_probe_v6.py's pair() runs it.
 */

#include "golden-compare.h"
#include "ports/port-table-snapshot.h"
#include "table-driver.h"
#include "udp-delivery-cases.h"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

using namespace portlab;

namespace
{

constexpr uint16_t PORT = 8888; //!< the probe's port

/// One address of the probe's ADDRS table (plus the mapped wildcard of mapped_any_pairs).
struct MatrixAddress
{
    const char* name; //!< as the keys spell it
    const char* text; //!< the address bound
    bool v6only;      //!< IPV6_V6ONLY = 1 set before bind
};

const MatrixAddress ADDRESSES[] = {
    {"0.0.0.0", "0.0.0.0", false},
    {"127.0.0.1", "127.0.0.1", false},
    {"[::]", "::", false},
    {"[::]v6only", "::", true},
    {"[::1]", "::1", false},
    {"[::ffff:127.0.0.1]", "::ffff:127.0.0.1", false},
    {"[fd00::1]", "fd00::1", false},
    {"[::ffff:0.0.0.0]", "::ffff:0.0.0.0", false},
    {"127.0.0.6", "127.0.0.6", false},
};

/// A pair as its key names it: "tcp A/opt[/listen] then B/opt".
struct PairKey
{
    bool tcp{true};            //!< tcp or udp
    const MatrixAddress* a1{}; //!< first socket's address
    const MatrixAddress* a2{}; //!< second socket's address
    std::string o1;            //!< first socket's options (none, ra, rp, both)
    std::string o2;            //!< second socket's options
    bool listenFirst{false};   //!< the first socket listens before the second binds
};

const MatrixAddress*
AddressNamed(const std::string& name)
{
    for (const auto& a : ADDRESSES)
    {
        if (name == a.name)
        {
            return &a;
        }
    }
    throw std::invalid_argument("unknown matrix address '" + name + "'");
}

PairKey
ParsePairKey(const std::string& key)
{
    static const std::regex re(
        R"(^(tcp|udp) ([^/ ]+)/(none|ra|rp|both)(/listen)? then ([^/ ]+)/(none|ra|rp|both)$)");
    std::smatch m;
    if (!std::regex_match(key, m, re))
    {
        throw std::invalid_argument("not a pair key: '" + key + "'");
    }
    PairKey k;
    k.tcp = m[1] == "tcp";
    k.a1 = AddressNamed(m[2]);
    k.o1 = m[3];
    k.listenFirst = m[4].matched;
    k.a2 = AddressNamed(m[5]);
    k.o2 = m[6];
    return k;
}

/// fd00::1 on lo, as the probe configures its namespace. \param d the host
void
AddProbeAddresses(TableDriver& d)
{
    Ipv6 ula;
    EXPECT_TRUE(ParseIpv6("fd00::1", ula));
    d.Host().Addresses().AddIpv6(ula, LOOPBACK_IFINDEX);
}

/// The probe's mk_named(): a socket of the address's family with the options set.
SocketId
OpenNamed(TableDriver& d, bool tcp, const MatrixAddress& a, const std::string& opts)
{
    InetAddress addr;
    EXPECT_TRUE(ParseInetAddress(a.text, addr)) << a.text;
    const bool ra = opts == "ra" || opts == "both";
    const bool rp = opts == "rp" || opts == "both";
    if (!addr.inet6)
    {
        return tcp ? d.TcpSocket(ra, rp) : d.UdpSocket(ra, rp);
    }
    SocketId s = tcp ? d.TcpSocket6(ra, rp) : d.UdpSocket6(ra, rp);
    if (a.v6only)
    {
        EXPECT_EQ(tcp ? d.Tcp().SetV6Only(s, true) : d.Udp().SetV6Only(s, true), Errno::OK);
    }
    return s;
}

Errno
BindNamed(TableDriver& d, bool tcp, SocketId s, const MatrixAddress& a)
{
    InetAddress addr;
    ParseInetAddress(a.text, addr);
    return tcp ? d.Tcp().Bind(s, addr, PORT) : d.Udp().Bind(s, addr, PORT);
}

/// The probe's pair(): results by step ("bind1", "listen1", "bind2", "listen2").
std::map<std::string, std::string>
RunPair(const PairKey& k, bool withListen2)
{
    TableDriver d(1);
    AddProbeAddresses(d);
    SocketId s1 = OpenNamed(d, k.tcp, *k.a1, k.o1);
    SocketId s2 = OpenNamed(d, k.tcp, *k.a2, k.o2);
    std::map<std::string, std::string> r;
    r["bind1"] = ErrnoName(BindNamed(d, k.tcp, s1, *k.a1));
    if (k.listenFirst)
    {
        r["listen1"] = ErrnoName(d.Tcp().Listen(s1, DEFAULT_BACKLOG));
    }
    r["bind2"] = ErrnoName(BindNamed(d, k.tcp, s2, *k.a2));
    if (withListen2 && r["bind1"] == "ok" && r["bind2"] == "ok")
    {
        r["listen2"] = ErrnoName(d.Tcp().Listen(s2, DEFAULT_BACKLOG));
        if (!k.listenFirst)
        {
            r["listen1"] = ErrnoName(d.Tcp().Listen(s1, DEFAULT_BACKLOG));
        }
    }
    return r;
}

/// The second bind's result, as bind_matrix and mapped_any_pairs record it; a first step
/// the probe saw succeed but the model did not shows as "bind1 E..." (never agrees).
std::string
SecondBind(const std::map<std::string, std::string>& r)
{
    for (const char* step : {"bind1", "listen1"})
    {
        auto it = r.find(step);
        if (it != r.end() && it->second != "ok")
        {
            return std::string(step) + " " + it->second;
        }
    }
    return r.at("bind2");
}

/// What the model gives for every pair of a recorded case.
Json
ModelResult(const std::string& name, const Json& expected)
{
    Json got = Json::object();
    for (const auto& [key, value] : expected.items())
    {
        const PairKey k = ParsePairKey(key);
        if (name == "listen_matrix")
        {
            auto r = RunPair(k, true);
            if (r.count("listen2") == 0)
            {
                continue; // a bind failed: no listen step (the comparison reports "nothing")
            }
            Json v = Json::object();
            v["listen2"] = r["listen2"];
            if (!k.listenFirst)
            {
                v["listen1"] = r["listen1"];
            }
            got[key] = v;
        }
        else
        {
            got[key] = SecondBind(RunPair(k, false));
        }
    }
    return got;
}

const char*
Name(Errno e)
{
    return ErrnoName(e);
}

/**
 * The end of linux_probe_v6.py's server_restart6(), for either client: the accepted \p child
 * closes first (the server's TIME_WAIT), the listener \p l closes, then fresh sockets
 * (SO_REUSEADDR per \p newRa) bind port 8888 on eight addresses, each closed before the next;
 * their errnos go to \p r as "bind ADDRESS:8888".
 */
void
RestartAndBind(TableDriver& d, SocketId l, SocketId c, SocketId child, bool newRa, Json& r)
{
    d.CloseInOrder(child, c, 50 * NS_PER_MS); // the server closes first
    d.Tcp().SetClosed(l);
    d.Tcp().Destroy(l);
    for (const char* t : {"[::]",
                          "[::]v6only",
                          "0.0.0.0",
                          "127.0.0.1",
                          "[::1]",
                          "[::ffff:127.0.0.1]",
                          "[::ffff:0.0.0.0]",
                          "127.0.0.6"})
    {
        const MatrixAddress& a = *AddressNamed(t);
        SocketId s = OpenNamed(d, true, a, newRa ? "ra" : "none");
        r[std::string("bind ") + t + ":8888"] = Name(BindNamed(d, true, s, a));
        d.Tcp().Destroy(s);
    }
}

/// linux_probe_v6.py's server_restart6() for a [::] listener and an IPv4 client: the listener
/// (SO_REUSEADDR per \p oldRa) accepts one connection, the server closes first (a v4-mapped
/// TIME_WAIT of an AF_INET6 socket), the listener closes, then fresh sockets (SO_REUSEADDR
/// per \p newRa) bind port 8888 on eight addresses, each closed before the next.
Json
ServerRestartV4Client(bool oldRa, bool newRa)
{
    TableDriver d(1);
    AddProbeAddresses(d);
    SocketId l = d.TcpSocket6(oldRa);
    d.Tcp().Bind(l, InetAddress::V6(Ipv6{}), PORT);
    d.Tcp().Listen(l, DEFAULT_BACKLOG);
    SocketId c = d.TcpSocket();
    SocketId child = INVALID_ID;
    Json r = Json::object();
    if (d.Connect(c, LO1, PORT, &child) != Errno::OK)
    {
        r["setup"] = "connect failed";
        return r;
    }
    RestartAndBind(d, l, c, child, newRa, r);
    return r;
}

/// linux_probe_v6.py's v6only_option(), step by step.
Json
V6OnlyOption()
{
    TableDriver d(1);
    AddProbeAddresses(d);
    TcpPortTable& tcp = d.Tcp();
    Json r = Json::object();
    auto v6 = [](const char* text) {
        InetAddress a;
        ParseInetAddress(text, a);
        return a;
    };
    SocketId s = d.TcpSocket6();
    tcp.Bind(s, v6("::"), PORT);
    r["bind [::] then getsockopt"] = tcp.V6Only(s) ? 1 : 0;
    r["bind [::] then set V6ONLY=1"] = Name(tcp.SetV6Only(s, true));
    r["bind [::] then set V6ONLY=0 (same value)"] = Name(tcp.SetV6Only(s, false));
    r["after failed set, getsockopt"] = tcp.V6Only(s) ? 1 : 0;
    tcp.Destroy(s);
    for (const char* name : {"[::1]", "[fd00::1]", "[::ffff:127.0.0.1]", "[::ffff:0.0.0.0]"})
    {
        const MatrixAddress& a = *AddressNamed(name);
        s = d.TcpSocket6();
        BindNamed(d, true, s, a);
        r[std::string("bind ") + name + " then getsockopt"] = tcp.V6Only(s) ? 1 : 0;
        tcp.Destroy(s);
    }
    s = d.TcpSocket6();
    tcp.SetV6Only(s, true);
    r["V6ONLY=1 then bind ::ffff:127.0.0.1"] = Name(tcp.Bind(s, v6("::ffff:127.0.0.1"), PORT));
    r["  then set V6ONLY=0 (still unbound)"] = Name(tcp.SetV6Only(s, false));
    r["  then bind ::ffff:127.0.0.1 again"] = Name(tcp.Bind(s, v6("::ffff:127.0.0.1"), PORT));
    tcp.Destroy(s);
    SocketId v4 = d.TcpSocket();
    tcp.Bind(v4, ADDR_ANY, PORT);
    tcp.Listen(v4, DEFAULT_BACKLOG);
    s = d.TcpSocket6();
    r["0.0.0.0 listening; bind [::]"] = Name(tcp.Bind(s, v6("::"), PORT));
    r["  after EADDRINUSE set V6ONLY=1"] = Name(tcp.SetV6Only(s, true));
    r["  bind [::] again"] = Name(tcp.Bind(s, v6("::"), PORT));
    r["  listen"] = Name(tcp.Listen(s, DEFAULT_BACKLOG));
    tcp.Destroy(s);
    tcp.Destroy(v4);
    s = d.TcpSocket6();
    tcp.Listen(s, DEFAULT_BACKLOG);
    r["listen() without bind (autobind) then set V6ONLY=1"] = Name(tcp.SetV6Only(s, true));
    tcp.Destroy(s);
    SocketId u = d.UdpSocket6();
    d.Udp().Bind(u, v6("::"), PORT);
    r["udp bind [::] then set V6ONLY=1"] = Name(d.Udp().SetV6Only(u, true));
    d.Udp().Close(u);
    u = d.UdpSocket6();
    d.Udp().Autobind(u); // connect(("::1", 9)): the IPv6 route is the transport's; the port is not
    r["udp connect (autobind) then set V6ONLY=1"] = Name(d.Udp().SetV6Only(u, true));
    d.Udp().Close(u);
    r["AF_INET socket: set IPV6_V6ONLY"] = Name(tcp.SetV6Only(d.TcpSocket(), true));
    return r;
}

/// linux_probe_v6.py's bind_address_errors().
Json
BindAddressErrors()
{
    TableDriver d(1);
    AddProbeAddresses(d);
    Json r = Json::object();
    auto bind = [&d](const char* text, bool v6only, bool tcp) {
        InetAddress a;
        ParseInetAddress(text, a);
        SocketId s = tcp ? d.TcpSocket6() : d.UdpSocket6();
        if (v6only)
        {
            tcp ? d.Tcp().SetV6Only(s, true) : d.Udp().SetV6Only(s, true);
        }
        Errno e = tcp ? d.Tcp().Bind(s, a, PORT) : d.Udp().Bind(s, a, PORT);
        tcp ? d.Tcp().Destroy(s) : d.Udp().Close(s);
        return Name(e);
    };
    r["v4mapped_not_local ::ffff:10.9.9.9"] = bind("::ffff:10.9.9.9", false, true);
    r["v6_not_local 2001:db8::1"] = bind("2001:db8::1", false, true);
    r["v4mapped_on_v6only_socket ::ffff:127.0.0.1"] = bind("::ffff:127.0.0.1", true, true);
    r["v4mapped_on_v6only_socket_udp ::ffff:127.0.0.1"] = bind("::ffff:127.0.0.1", true, false);
    r["v4mapped_any_on_v6only_socket ::ffff:0.0.0.0"] = bind("::ffff:0.0.0.0", true, true);
    r["v4mapped_any ::ffff:0.0.0.0"] = bind("::ffff:0.0.0.0", false, true);
    r["v4mapped_127.0.0.2 ::ffff:127.0.0.2"] = bind("::ffff:127.0.0.2", false, true);
    r["v6_multicast_tcp ff02::1"] = bind("ff02::1", false, true);
    r["v6_multicast_udp ff02::1 (no scope)"] = bind("ff02::1", false, false);
    r["v6_link_local_no_scope fe80::1 (not configured)"] = bind("fe80::1", false, true);
    SocketId s = d.TcpSocket6();
    InetAddress any6 = InetAddress::V6(Ipv6{});
    std::string first = Name(d.Tcp().Bind(s, any6, PORT));
    r["double_bind"] = first + "," + Name(d.Tcp().Bind(s, any6, PORT + 1));
    return r;
}

/// linux_probe_v6.py's bindv6only_sysctl().
Json
BindV6OnlySysctl()
{
    TableDriver d(1);
    AddProbeAddresses(d);
    TcpPortTable& tcp = d.Tcp();
    const InetAddress any6 = InetAddress::V6(Ipv6{});
    Json r = Json::object();
    SocketId before = d.TcpSocket6();
    d.Sysctl("net.ipv6.bindv6only", "1");
    r["socket created before the sysctl: getsockopt"] = tcp.V6Only(before) ? 1 : 0;
    r["new tcp socket: getsockopt"] = tcp.V6Only(d.TcpSocket6()) ? 1 : 0;
    r["new udp socket: getsockopt"] = d.Udp().V6Only(d.UdpSocket6()) ? 1 : 0;
    SocketId a = d.TcpSocket6();
    r["bind [::]:8888"] = Name(tcp.Bind(a, any6, PORT));
    tcp.Listen(a, DEFAULT_BACKLOG);
    SocketId b = d.TcpSocket();
    r["then AF_INET bind 0.0.0.0:8888"] = Name(tcp.Bind(b, ADDR_ANY, PORT));
    tcp.Listen(b, DEFAULT_BACKLOG);
    SocketId c = d.TcpSocket6();
    tcp.SetV6Only(c, false);
    SocketId dd = d.TcpSocket();
    r["explicit V6ONLY=0: bind [::]:8889"] = Name(tcp.Bind(c, any6, PORT + 1));
    r["  then AF_INET bind 0.0.0.0:8889"] = Name(tcp.Bind(dd, ADDR_ANY, PORT + 1));
    SocketId e = d.TcpSocket6();
    InetAddress mapped;
    ParseInetAddress("::ffff:127.0.0.1", mapped);
    r["default socket: bind ::ffff:127.0.0.1:8890"] = Name(tcp.Bind(e, mapped, PORT + 2));
    r["default socket: connect ::ffff:127.0.0.1:8888"] = Name(d.Connect(d.TcpSocket6(), LO1, PORT));
    r["v4 client -> 127.0.0.1:8888 (reaches the AF_INET listener)"] =
        Name(d.Connect(d.TcpSocket(), LO1, PORT));
    SocketId l = d.TcpSocket6();
    tcp.Bind(l, any6, PORT + 3);
    tcp.Listen(l, DEFAULT_BACKLOG);
    r["v4 client -> 127.0.0.1:8891 (only a default [::] listener there)"] =
        Name(d.Connect(d.TcpSocket(), LO1, PORT + 3));
    d.Sysctl("net.ipv6.bindv6only", "0");
    r["socket created under bindv6only=1, after the sysctl is reset to 0: getsockopt"] =
        tcp.V6Only(e) ? 1 : 0;
    return r;
}

/// \param text an address as the probe writes it \return it parsed
InetAddress
Addr(const char* text)
{
    InetAddress a;
    EXPECT_TRUE(ParseInetAddress(text, a)) << text;
    return a;
}

/// `ss -tanH` reduced to counts by state, as linux_probe_v6.py's ss_states() counts them.
Json
SsStates(TableDriver& d)
{
    Json states = Json::object();
    auto bump = [&states](const char* st) {
        states[st] = states.contains(st) ? states[st].get<int>() + 1 : 1;
    };
    d.Tcp().ForEach([&](const TcpSocketView& v) { bump(SsStateName(v.state)); },
                    [&](const TimeWaitEntry& tw) {
                        bump((tw.flags & TW_FIN_WAIT2) ? "FIN-WAIT-2" : "TIME-WAIT");
                    });
    return states;
}

/// \param r a connect() or bind() result \param port the port it got \return the probe's
/// "ok local=N" / "ok port=N" form
std::string
WithPort(Errno r, const char* label, uint16_t port)
{
    return r == Errno::OK ? std::string("ok ") + label + "=" + std::to_string(port) : Name(r);
}

/// linux_probe_v6.py's ephemeral_shared_v4_v6(): ip_local_port_range 40000 40000.
Json
EphemeralSharedV4V6()
{
    TableDriver d(1);
    AddProbeAddresses(d);
    d.Sysctl("net.ipv4.ip_local_port_range", "40000 40000");
    TcpPortTable& tcp = d.Tcp();
    for (const char* a : {"127.0.0.1", "::1", "fd00::1"})
    {
        InetAddress addr = Addr(a);
        SocketId s = addr.inet6 ? d.TcpSocket6() : d.TcpSocket();
        tcp.Bind(s, addr, PORT);
        tcp.Listen(s, DEFAULT_BACKLOG);
    }
    Json r = Json::object();
    int n = 0;
    auto conn = [&](const std::string& label, const char* dst) {
        InetAddress a = Addr(dst);
        SocketId c = a.inet6 ? d.TcpSocket6() : d.TcpSocket();
        Errno e = a.inet6 ? d.Connect6(c, a, PORT) : d.Connect(c, a.v4, PORT);
        r["connect#" + std::to_string(++n) + " " + label] =
            WithPort(e, "local", tcp.GetTuple(c).localPort);
    };
    conn("AF_INET -> 127.0.0.1", "127.0.0.1");
    conn("AF_INET6 -> ::1", "::1");
    conn("AF_INET6 -> fd00::1", "fd00::1");
    conn("AF_INET6 -> ::ffff:127.0.0.1 (same v4 4-tuple as #1)", "::ffff:127.0.0.1");
    conn("AF_INET -> 127.0.0.1 again", "127.0.0.1");
    conn("AF_INET6 -> ::1 again", "::1");
    auto bind0 = [&](const std::string& label, const char* addr, bool v6only) {
        InetAddress a = Addr(addr);
        SocketId b = a.inet6 ? d.TcpSocket6() : d.TcpSocket();
        if (v6only)
        {
            tcp.SetV6Only(b, true);
        }
        Errno e = tcp.Bind(b, a, 0);
        r["bind " + label] = WithPort(e, "port", tcp.GetTuple(b).localPort);
    };
    bind0("[::]:0", "::", false);
    bind0("[::]v6only:0", "::", true);
    bind0("0.0.0.0:0", "0.0.0.0", false);
    bind0("[::1]:0", "::1", false);
    bind0("127.0.0.2:0 (no connection uses 127.0.0.2)", "127.0.0.2", false);
    r["explicit bind [::]:40000"] = Name(tcp.Bind(d.TcpSocket6(), Addr("::"), 40000));
    return r;
}

/// linux_probe_v6.py's tw_exhaust6(): ten ports, AF_INET6 clients that close first (client
/// TIME_WAITs, 2 ms apart), then a connect after \p waitMs.
Json
TwExhaust6(const char* twReuse, TimeNs waitMs, const char* dst, bool v4After)
{
    constexpr int NPORTS = 10;
    TableDriver d(1);
    AddProbeAddresses(d);
    d.Sysctl("net.ipv4.ip_local_port_range", "40000 40009");
    d.Sysctl("net.ipv4.tcp_tw_reuse", twReuse);
    TcpPortTable& tcp = d.Tcp();
    const InetAddress to = Addr(dst);
    SocketId ls = d.TcpSocket6();
    tcp.Bind(ls, to, PORT);
    tcp.Listen(ls, 1024);
    int ok = 0;
    Json firstFail = nullptr;
    for (int i = 0; i < NPORTS + 3; ++i)
    {
        SocketId c = d.TcpSocket6();
        SocketId a = INVALID_ID;
        Errno e = d.Connect6(c, to, PORT, &a);
        if (e == Errno::OK)
        {
            ++ok;
            d.CloseInOrder(c, a, 2 * NS_PER_MS); // c.close(); sleep(0.002); a.close()
        }
        else
        {
            if (firstFail.is_null())
            {
                firstFail = Json::array({i, Name(e)});
            }
            tcp.Destroy(c);
        }
    }
    Json r = Json::object();
    r["ok_before_wait"] = ok;
    r["first_fail"] = firstFail;
    r["ss"] = SsStates(d);
    if (v4After)
    {
        SocketId l4 = d.TcpSocket();
        tcp.Bind(l4, LO1, PORT);
        tcp.Listen(l4, DEFAULT_BACKLOG);
        SocketId c = d.TcpSocket();
        Errno e = d.Connect(c, LO1, PORT);
        r["v4 connect 127.0.0.1:8888 while v6 TIME_WAITs hold every port"] =
            WithPort(e, "local", tcp.GetTuple(c).localPort);
        SocketId m = d.TcpSocket6();
        e = d.Connect6(m, Addr("::ffff:127.0.0.1"), PORT);
        r["AF_INET6 connect ::ffff:127.0.0.1:8888 next"] =
            WithPort(e, "local", tcp.GetTuple(m).localPort);
    }
    if (waitMs > 0)
    {
        d.Sleep(waitMs * NS_PER_MS);
        r["connect_after_" + std::to_string(waitMs / 1000) + "." +
          std::to_string(waitMs % 1000 / 100) + "s"] = Name(d.Connect6(d.TcpSocket6(), to, PORT));
    }
    return r;
}

/// linux_probe_v6.py's server_restart6() with an AF_INET6 client to ::1: the accepted child
/// closes first, so the TIME_WAIT is the server's native-IPv6 one ([::1]:8888), with the
/// listener's ipv6only (0 for `::`, 1 for `::1`, which forces it).
Json
ServerRestartV6Client(const char* listenAddr, bool oldRa, bool newRa)
{
    TableDriver d(1);
    AddProbeAddresses(d);
    SocketId l = d.TcpSocket6(oldRa);
    d.Tcp().Bind(l, Addr(listenAddr), PORT);
    d.Tcp().Listen(l, DEFAULT_BACKLOG);
    SocketId c = d.TcpSocket6();
    SocketId child = INVALID_ID;
    Json r = Json::object();
    if (d.Connect6(c, Addr("::1"), PORT, &child) != Errno::OK)
    {
        r["setup"] = "connect failed";
        return r;
    }
    RestartAndBind(d, l, c, child, newRa, r);
    return r;
}

/// linux_probe_v6.py's v6_connection_blocks_v4_wildcard(): a dual-stack listener's native
/// child and the default AF_INET6 client hold their ports against 0.0.0.0 (the 127.0.0.6
/// placeholder) but not against ::ffff:0.0.0.0 or a specific IPv4 address.
Json
V6ConnectionBlocksV4Wildcard()
{
    TableDriver d(1);
    AddProbeAddresses(d);
    d.Sysctl("net.ipv4.ip_local_port_range", "40000 40000");
    TcpPortTable& tcp = d.Tcp();
    SocketId ls = d.TcpSocket6();
    tcp.Bind(ls, Addr("::"), PORT);
    tcp.Listen(ls, DEFAULT_BACKLOG);
    SocketId c = d.TcpSocket6();
    SocketId a = INVALID_ID;
    Json r = Json::object();
    if (d.Connect6(c, Addr("::1"), PORT, &a) != Errno::OK)
    {
        r["setup"] = "connect failed";
        return r;
    }
    tcp.SetClosed(ls);
    tcp.Destroy(ls);
    r["child IPV6_V6ONLY"] = tcp.V6Only(a) ? 1 : 0;
    r["client IPV6_V6ONLY"] = tcp.V6Only(c) ? 1 : 0;
    r["client local port"] = tcp.GetTuple(c).localPort;
    for (auto [port, who] : {std::pair<uint16_t, const char*>{PORT,
                                                              "server port (accepted child alive, "
                                                              "listener closed)"},
                             {40000, "client port"}})
    {
        for (const char* t : {"0.0.0.0",
                              "[::ffff:0.0.0.0]",
                              "127.0.0.1",
                              "127.0.0.6",
                              "[::]v6only",
                              "[::ffff:127.0.0.1]"})
        {
            const MatrixAddress& m = *AddressNamed(t);
            SocketId s = OpenNamed(d, true, m, "none");
            InetAddress addr;
            ParseInetAddress(m.text, addr);
            r[std::string(who) + ": bind " + t] = Name(tcp.Bind(s, addr, port));
            tcp.Destroy(s);
        }
    }
    return r;
}

/// The address getsockname() gives for a socket whose local address is \p a: dotted quad for
/// AF_INET, `::ffff:a.b.c.d` for a v4-mapped AF_INET6 socket, else its IPv6 address.
std::string
SockName(const RcvSaddr& a, const LocalAddresses& addresses)
{
    switch (a.v6)
    {
    case V6_NONE:
        return FormatIpv4(a.v4);
    case V6_ANY:
        return "::";
    case V6_MAPPED:
        return FormatIpv6(MakeMappedIpv6(a.v4));
    default:
        return FormatIpv6(addresses.Ipv6Of(a.v6));
    }
}

/// The address getpeername() (and accept()) gives for a connected TCP socket.
std::string
PeerName(TcpPortTable& tcp, SocketId id, const LocalAddresses& addresses)
{
    if (const FourTuple6* k = tcp.SocketKey6(id))
    {
        return FormatIpv6(k->remoteAddr);
    }
    return SockName(RcvSaddr{tcp.GetTuple(id).remoteAddr, tcp.LocalRcvSaddr(id).v6, false},
                    addresses);
}

/// linux_probe_v6.py's dualstack_accept(): a dual-stack [::] listener accepts IPv4 clients as
/// v4-mapped peers and IPv6 ones natively; v6-only, v4-mapped and ::1 listeners take one
/// family each.
Json
DualstackAccept()
{
    TableDriver d(1);
    AddProbeAddresses(d);
    TcpPortTable& tcp = d.Tcp();
    const LocalAddresses& addrs = d.Host().Addresses();
    Json r = Json::object();
    auto listen = [&](const char* addr, uint16_t port, bool v6only) {
        SocketId s = d.TcpSocket6();
        if (v6only)
        {
            tcp.SetV6Only(s, true);
        }
        tcp.Bind(s, Addr(addr), port);
        tcp.Listen(s, DEFAULT_BACKLOG);
    };
    listen("::", PORT, false);
    SocketId c4 = d.TcpSocket();
    SocketId a4 = INVALID_ID;
    d.Connect(c4, LO1, PORT, &a4);
    r["v4 client: accept() peer"] = PeerName(tcp, a4, addrs);
    r["v4 client: child getpeername"] = PeerName(tcp, a4, addrs);
    r["v4 client: child getsockname"] =
        Json::array({SockName(tcp.LocalRcvSaddr(a4), addrs), tcp.GetTuple(a4).localPort});
    r["v4 client: child family"] = tcp.LocalRcvSaddr(a4).v6 == V6_NONE ? "AF_INET" : "AF_INET6";
    r["v4 client: child IPV6_V6ONLY"] = tcp.V6Only(a4) ? 1 : 0;
    r["v4 client: client getpeername"] =
        Json::array({PeerName(tcp, c4, addrs), tcp.GetTuple(c4).remotePort});
    SocketId a6 = INVALID_ID;
    d.Connect6(d.TcpSocket6(), Addr("::1"), PORT, &a6);
    r["v6 client: accept() peer"] = PeerName(tcp, a6, addrs);
    r["v6 client: child getsockname"] = SockName(tcp.LocalRcvSaddr(a6), addrs);
    r["v6 client: child IPV6_V6ONLY"] = tcp.V6Only(a6) ? 1 : 0;
    SocketId ab = INVALID_ID;
    d.Connect6(d.TcpSocket6(), Addr("fd00::1"), PORT, &ab);
    r["fd00::1 client: accept() peer"] = PeerName(tcp, ab, addrs);
    listen("::", PORT + 1, true);
    r["v4 client -> [::]v6only listener"] = Name(d.Connect(d.TcpSocket(), LO1, PORT + 1));
    r["v6 client -> [::]v6only listener"] = Name(d.Connect6(d.TcpSocket6(), Addr("::1"), PORT + 1));
    listen("::ffff:127.0.0.1", PORT + 2, false);
    SocketId am = INVALID_ID;
    const Errno em = d.Connect(d.TcpSocket(), LO1, PORT + 2, &am);
    r["v4 client -> [::ffff:127.0.0.1] listener"] = Name(em);
    if (em == Errno::OK)
    {
        r["  accept() peer"] = PeerName(tcp, am, addrs);
    }
    r["v6 client ::1 -> [::ffff:127.0.0.1] listener's port"] =
        Name(d.Connect6(d.TcpSocket6(), Addr("::1"), PORT + 2));
    listen("::1", PORT + 3, false);
    r["v4 client 127.0.0.1 -> [::1] listener's port"] =
        Name(d.Connect(d.TcpSocket(), LO1, PORT + 3));
    return r;
}

/// linux_probe_v6.py's v6_socket_connects_v4mapped(): AF_INET6 sockets connecting to
/// \::ffff:127.0.0.1 speak IPv4 (tcp_v6_connect -> tcp_v4_connect, the same for UDP).
Json
V6SocketConnectsV4Mapped()
{
    TableDriver d(1);
    AddProbeAddresses(d);
    TcpPortTable& tcp = d.Tcp();
    const LocalAddresses& addrs = d.Host().Addresses();
    Json r = Json::object();
    SocketId ls = d.TcpSocket();
    tcp.Bind(ls, LO1, PORT);
    tcp.Listen(ls, DEFAULT_BACKLOG);
    const InetAddress mapped = Addr("::ffff:127.0.0.1");
    SocketId c = d.TcpSocket6();
    SocketId a = INVALID_ID;
    r["default socket -> ::ffff:127.0.0.1:8888"] = Name(d.Connect6(c, mapped, PORT, &a));
    const RcvSaddr cl = tcp.LocalRcvSaddr(c);
    r["client getsockname"] = SockName(cl, addrs);
    r["client getpeername"] = SockName(RcvSaddr{tcp.GetTuple(c).remoteAddr, cl.v6, false}, addrs);
    r["server sees peer"] =
        SockName(RcvSaddr{tcp.GetTuple(a).remoteAddr, tcp.LocalRcvSaddr(a).v6, false}, addrs);
    SocketId v6only = d.TcpSocket6();
    tcp.SetV6Only(v6only, true);
    r["V6ONLY=1 socket -> ::ffff:127.0.0.1:8888"] = Name(d.Connect6(v6only, mapped, PORT));
    SocketId b = d.TcpSocket6();
    tcp.Bind(b, Addr("::1"), 0);
    r["socket bound to [::1] -> ::ffff:127.0.0.1:8888"] = Name(d.Connect6(b, mapped, PORT));
    SocketId m = d.TcpSocket6();
    tcp.Bind(m, mapped, 0);
    SocketId l6 = d.TcpSocket6();
    tcp.SetV6Only(l6, true);
    tcp.Bind(l6, Addr("::1"), PORT);
    tcp.Listen(l6, DEFAULT_BACKLOG);
    r["socket bound to [::ffff:127.0.0.1] -> [::1]:8888"] = Name(d.Connect6(m, Addr("::1"), PORT));
    SocketId m2 = d.TcpSocket6();
    tcp.Bind(m2, mapped, 0);
    r["socket bound to [::ffff:127.0.0.1] -> ::ffff:127.0.0.1:8888"] =
        Name(d.Connect6(m2, mapped, PORT));
    // UDP: ip6_datagram_connect() hands a v4-mapped destination to __ip4_datagram_connect().
    SocketId u = d.UdpSocket6();
    r["udp default socket connect ::ffff:127.0.0.1:9"] = Name(d.Udp().Connect(u, LO1, LO1, 9));
    r["udp getsockname after connect"] = SockName(d.Udp().LocalRcvSaddr(u), addrs);
    SocketId u6 = d.UdpSocket6();
    d.Udp().SetV6Only(u6, true);
    r["udp V6ONLY=1 connect ::ffff:127.0.0.1:9"] = Name(d.Udp().Connect(u6, LO1, LO1, 9));
    return r;
}

/// linux_probe_v6.py's tcp_reuseport_dualstack(): SO_REUSEPORT listeners on `::` and
/// 0.0.0.0 (in both orders), 40 connections to 127.0.0.1 and 40 to ::1; which listener
/// accepts which, by the peer's address form. Each order runs on a fresh host (the probe closes
/// everything between them).
Json
TcpReuseportDualstack()
{
    Json out = Json::object();
    for (auto order : {std::pair<const char*, const char*>{"[::]", "0.0.0.0"}, {"0.0.0.0", "[::]"}})
    {
        TableDriver d(1);
        AddProbeAddresses(d);
        std::map<SocketId, std::string> names;
        for (const char* name : {order.first, order.second})
        {
            const MatrixAddress& a = *AddressNamed(name);
            SocketId s = OpenNamed(d, true, a, "rp");
            BindNamed(d, true, s, a);
            d.Tcp().Listen(s, 1024);
            names[s] = name;
        }
        Json counts = Json::object();
        for (const auto& [s, name] : names)
        {
            counts[name] = Json::object();
        }
        auto count = [&](SocketId l, const char* kind) {
            Json& c = counts[names.at(l)];
            c[kind] = c.contains(kind) ? c[kind].get<int>() + 1 : 1;
        };
        for (int i = 0; i < 40; ++i)
        {
            SocketId l = INVALID_ID;
            if (d.Connect(d.TcpSocket(), LO1, PORT, nullptr, &l) == Errno::OK)
            {
                count(l, d.Tcp().LocalRcvSaddr(l).v6 == V6_NONE ? "v4" : "v4mapped");
            }
        }
        for (int i = 0; i < 40; ++i)
        {
            SocketId l = INVALID_ID;
            if (d.Connect6(d.TcpSocket6(), Addr("::1"), PORT, nullptr, &l) == Errno::OK)
            {
                count(l, "v6");
            }
        }
        out[std::string("bound ") + order.first + " first"] = counts;
    }
    return out;
}

/// The host's rows as `ss -tanH` / `ss -uanH` print them, without the queue columns (Recv-Q,
/// Send-Q: "-"), which the tables do not hold. \param d the host \param tcp TCP or UDP
Json
SsLines(TableDriver& d, bool tcp)
{
    Json lines = Json::array();
    for (const SsRow& row : SnapshotSockets(d.Host(), tcp, !tcp))
    {
        lines.push_back(row.state + " - - " + row.local + " " + row.peer);
    }
    return lines;
}

/// linux_probe_v6.py's ss_format(): listeners and UDP sockets on each kind of local address
/// (8001-8006), connections of both families (v4 to v4, v4 and v6 to a dual-stack [::], an
/// AF_INET6 socket to ::ffff:127.0.0.1), an IPv6 client TIME_WAIT and a v4-mapped server one.
Json
SsFormat()
{
    TableDriver d(1);
    AddProbeAddresses(d);
    const char* names[] =
        {"0.0.0.0", "[::]", "[::]v6only", "[::1]", "[::ffff:127.0.0.1]", "[fd00::1]"};
    Json r = Json::object();
    for (bool tcp : {true, false})
    {
        for (uint16_t i = 0; i < 6; ++i)
        {
            const MatrixAddress& a = *AddressNamed(names[i]);
            SocketId s = OpenNamed(d, tcp, a, "none");
            InetAddress addr;
            ParseInetAddress(a.text, addr);
            const uint16_t port = 8001 + i;
            Errno e = tcp ? d.Tcp().Bind(s, addr, port) : d.Udp().Bind(s, addr, port);
            if (e == Errno::OK && tcp)
            {
                e = d.Tcp().Listen(s, DEFAULT_BACKLOG);
            }
            if (e != Errno::OK)
            {
                r["setup"] = std::string("listener ") + names[i] + ": " + Name(e);
                return r;
            }
        }
    }
    d.Sysctl("net.ipv4.ip_local_port_range", "50000 50999");
    const bool connected = d.Connect(d.TcpSocket(), LO1, 8001) == Errno::OK &&
                           d.Connect(d.TcpSocket(), LO1, 8002) == Errno::OK &&
                           d.Connect6(d.TcpSocket6(), Addr("::1"), 8002) == Errno::OK &&
                           d.Connect6(d.TcpSocket6(), Addr("::ffff:127.0.0.1"), 8001) == Errno::OK;
    if (!connected)
    {
        r["setup"] = "connect failed";
        return r;
    }
    r["tcp"] = SsLines(d, true);
    r["udp"] = SsLines(d, false);
    auto timeWaits = [&d](const std::string& having) {
        Json lines = Json::array();
        for (const Json& line : SsLines(d, true))
        {
            const std::string text = line.get<std::string>();
            if (text.rfind("TIME-WAIT", 0) == 0 && text.find(having) != std::string::npos)
            {
                lines.push_back(text);
            }
        }
        return lines;
    };
    SocketId t = d.TcpSocket6();
    SocketId a = INVALID_ID;
    if (d.Connect6(t, Addr("::1"), 8004, &a) != Errno::OK)
    {
        r["setup"] = "connect to [::1]:8004 failed";
        return r;
    }
    d.CloseInOrder(t, a, 50 * NS_PER_MS); // the client closes first
    r["tcp_time_wait_v6"] = timeWaits("");
    SocketId l7 = d.TcpSocket6();
    d.Tcp().Bind(l7, Addr("::"), 8007);
    d.Tcp().Listen(l7, DEFAULT_BACKLOG);
    SocketId t7 = d.TcpSocket();
    SocketId a7 = INVALID_ID;
    if (d.Connect(t7, LO1, 8007, &a7) != Errno::OK)
    {
        r["setup"] = "connect to 127.0.0.1:8007 failed";
        return r;
    }
    d.CloseInOrder(a7, t7, 50 * NS_PER_MS); // the server closes first
    r["tcp_time_wait_v4mapped_server_side"] = timeWaits(":8007");
    return r;
}

/// \param lines ss lines (recorded, or SsLines()) \return them as compared: state, local and
/// peer columns (the queue columns dropped), ports of the case's connect range 50000-50999 as
/// "E" (Linux chose them with its per-boot secret), sorted
Json
SsComparable(const Json& lines)
{
    static const std::regex ephemeral(R"(:50\d\d\d\b)");
    std::vector<std::string> out;
    for (const Json& line : lines)
    {
        std::istringstream in(line.get<std::string>());
        std::string state;
        std::string recvQ;
        std::string sendQ;
        std::string local;
        std::string peer;
        in >> state >> recvQ >> sendQ >> local >> peer;
        out.push_back(std::regex_replace(state + " " + local + " " + peer, ephemeral, ":E"));
    }
    std::sort(out.begin(), out.end());
    return Json(out);
}

/// linux_probe_v6.py's udp_delivery_dualstack() on the tables: each sub-case's sockets bound
/// to port 9000, then its IPv4 datagrams to 127.0.0.1 (UdpPortTable::Deliver) and IPv6 ones
/// to ::1 (Deliver6), each from its own source port; counted by the form recvfrom() would
/// give the sender in ("v4" on AF_INET, "v4mapped" on AF_INET6, "v6").
Json
UdpDeliveryDualstack()
{
    Json r = Json::object();
    Ipv6 loopback6;
    ParseIpv6("::1", loopback6);
    for (const UdpDeliveryCase& c : UdpDeliveryCases())
    {
        TableDriver d(1);
        AddProbeAddresses(d);
        UdpPortTable& udp = d.Udp();
        Json bind = Json::object();
        Json got = Json::object();
        std::map<SocketId, std::string> labels;
        for (const UdpDeliverySocket& k : c.sockets)
        {
            InetAddress addr;
            ParseInetAddress(k.address, addr);
            SocketId s = addr.inet6 ? d.UdpSocket6(k.reuseAddr, k.reusePort)
                                    : d.UdpSocket(k.reuseAddr, k.reusePort);
            if (k.v6only)
            {
                udp.SetV6Only(s, true);
            }
            bind[k.label] = Name(udp.Bind(s, addr, 9000));
            got[k.label] = Json::object();
            labels[s] = k.label;
        }
        auto count = [&](SocketId id, const std::string& form) {
            if (id != INVALID_ID)
            {
                Json& n = got[labels[id]][form];
                n = n.is_null() ? 1 : n.get<int>() + 1;
            }
        };
        for (int i = 0; i < c.datagrams; ++i)
        {
            const SocketId id = udp.Deliver(LO1, 9000, LO1, static_cast<uint16_t>(40000 + i));
            count(id, id != INVALID_ID && udp.LocalRcvSaddr(id).v6 == V6_NONE ? "v4" : "v4mapped");
        }
        for (int i = 0; i < c.datagrams; ++i)
        {
            count(udp.Deliver6(loopback6, 9000, loopback6, static_cast<uint16_t>(40000 + i)), "v6");
        }
        r[c.name] = Json{{"bind", bind}, {"received (by source address form)", got}};
    }
    return r;
}

/// Cases replayed key by key: (case, how the model runs it).
std::vector<std::pair<std::string, Json (*)()>>
ScriptedCases()
{
    std::vector<std::pair<std::string, Json (*)()>> cases = {
        {"v6only_option", &V6OnlyOption},
        {"bind_address_errors", &BindAddressErrors},
        {"bindv6only_sysctl", &BindV6OnlySysctl},
        {"server_restart_listen[::]_v4client_old0_new0",
         [] { return ServerRestartV4Client(false, false); }},
        {"server_restart_listen[::]_v4client_old0_new1",
         [] { return ServerRestartV4Client(false, true); }},
        {"server_restart_listen[::]_v4client_old1_new0",
         [] { return ServerRestartV4Client(true, false); }},
        {"server_restart_listen[::]_v4client_old1_new1",
         [] { return ServerRestartV4Client(true, true); }},
        {"server_restart_listen[::]_v6client_old0_new0",
         [] { return ServerRestartV6Client("::", false, false); }},
        {"server_restart_listen[::]_v6client_old0_new1",
         [] { return ServerRestartV6Client("::", false, true); }},
        {"server_restart_listen[::]_v6client_old1_new0",
         [] { return ServerRestartV6Client("::", true, false); }},
        {"server_restart_listen[::]_v6client_old1_new1",
         [] { return ServerRestartV6Client("::", true, true); }},
        {"server_restart_listen[::1]_v6client_old0_new0",
         [] { return ServerRestartV6Client("::1", false, false); }},
        {"server_restart_listen[::1]_v6client_old0_new1",
         [] { return ServerRestartV6Client("::1", false, true); }},
        {"server_restart_listen[::1]_v6client_old1_new0",
         [] { return ServerRestartV6Client("::1", true, false); }},
        {"server_restart_listen[::1]_v6client_old1_new1",
         [] { return ServerRestartV6Client("::1", true, true); }},
        {"v6_connection_blocks_v4_wildcard", &V6ConnectionBlocksV4Wildcard},
        {"ephemeral_shared_v4_v6", &EphemeralSharedV4V6},
        {"tw_exhaust_v6_reuse0", [] { return TwExhaust6("0", 1500, "::1", false); }},
        {"tw_exhaust_v6_reuse1", [] { return TwExhaust6("1", 1500, "::1", false); }},
        {"tw_exhaust_v6_reuse2_loopback", [] { return TwExhaust6("2", 1500, "::1", false); }},
        {"tw_exhaust_v6_reuse2_fd00_on_lo", [] { return TwExhaust6("2", 1500, "fd00::1", false); }},
        {"tw_exhaust_v6_then_v4", [] { return TwExhaust6("0", 0, "::1", true); }},
        {"tcp_reuseport_dualstack", &TcpReuseportDualstack},
        {"v6_socket_connects_v4mapped", &V6SocketConnectsV4Mapped},
        {"dualstack_accept", &DualstackAccept},
        {"ss_format", &SsFormat},
        {"udp_delivery_dualstack", &UdpDeliveryDualstack},
    };
    return cases;
}

/// \param v a result \param port receives N of "ok local=N" \return true if \p v has that form
bool
OkLocalPort(const Json& v, int& port)
{
    static const std::regex re(R"(^ok local=(\d+)$)");
    std::smatch m;
    if (!v.is_string())
    {
        return false;
    }
    const std::string text = v.get<std::string>();
    if (!std::regex_match(text, m, re))
    {
        return false;
    }
    port = std::stoi(m[1]);
    return true;
}

/// Whether the model's \p got agrees with the recorded \p expected. Exact, except that a
/// connect()'s "ok local=N" agrees with any N of the case's ip_local_port_range [lo, hi]
/// when that range holds more than one port: which one Linux picked came from its per-boot
/// port-offset secret (with a one-port range, as in ephemeral_shared_v4_v6, N is exact).
bool
Agrees(const Json& expected, const Json& got, int lo, int hi)
{
    int pe = 0;
    int pg = 0;
    if (lo < hi && OkLocalPort(expected, pe) && OkLocalPort(got, pg))
    {
        return lo <= pe && pe <= hi && lo <= pg && pg <= hi;
    }
    return expected == got;
}

/// Compare \p got with the recorded \p expected key by key ("ss" lines need packets and
/// ss's formatting: not compared here; "ss" counts by state are).
void
CompareKeys(const std::string& name, const Json& expected, const Json& got, GoldenReport& report)
{
    // The 10-port range of the tw_exhaust_v6_* cases (see Agrees).
    const bool tenPorts = name.rfind("tw_exhaust_v6", 0) == 0;
    for (const auto& [key, value] : expected.items())
    {
        if (key == "ss" && value.is_array())
        {
            continue;
        }
        const Json* g = JsonMember(got, key);
        ++report.total;
        bool agree = false;
        if (g != nullptr && name == "ss_format" && value.is_array() && g->is_array())
        {
            agree = SsComparable(value) == SsComparable(*g);
        }
        else if (g != nullptr && name == "udp_delivery_dualstack")
        {
            agree =
                UdpDeliveryComparable(Json{{key, value}}) == UdpDeliveryComparable(Json{{key, *g}});
        }
        else
        {
            agree = g != nullptr && Agrees(value, *g, tenPorts ? 40000 : 0, tenPorts ? 40009 : 0);
        }
        if (agree)
        {
            ++report.agree;
        }
        else
        {
            report.mismatches.push_back(GoldenMismatch{name + ": " + key,
                                                       DumpJson(value),
                                                       g ? DumpJson(*g) : "nothing",
                                                       "exact"});
        }
    }
}

const std::vector<std::pair<std::string, Json>>&
DualStackGoldens()
{
    static const std::vector<std::pair<std::string, Json>> goldens = [] {
        std::ifstream in(PORTLAB_DUALSTACK_GOLDEN_FILE);
        std::stringstream buf;
        buf << in.rdbuf();
        return ParseGoldenLines(buf.str());
    }();
    return goldens;
}

const Json&
Recorded(const std::string& name)
{
    for (const auto& [n, r] : DualStackGoldens())
    {
        if (n == name)
        {
            return r;
        }
    }
    throw std::invalid_argument("no recorded case '" + name + "'");
}

/// The table-level cases replayed and asserted (every pair of each).
const char* const REPLAYED[] = {"bind_matrix", "listen_matrix", "mapped_any_pairs"};

} // namespace

TEST(DualStackGolden, RecordingHoldsTheMatricesTheIssueNames)
{
    EXPECT_EQ(Recorded("bind_matrix").size(), 2352u);
    EXPECT_EQ(Recorded("listen_matrix").size(), 959u);
    EXPECT_EQ(Recorded("mapped_any_pairs").size(), 30u);
    EXPECT_EQ(Recorded("environment").at("bindv6only").get<std::string>(), "0")
        << "the matrices were recorded with net.ipv6.bindv6only = 0, the model's default";
}

TEST(DualStackGolden, PortTablesAgreeWithEveryBindListenAndMappedWildcardPair)
{
    GoldenReport report;
    for (const char* name : REPLAYED)
    {
        const Json& expected = Recorded(name);
        CompareGoldenCase(name, expected, ModelResult(name, expected), report);
    }
    const int pairs = report.total;
    for (const auto& [name, run] : ScriptedCases())
    {
        CompareKeys(name, Recorded(name), run(), report);
    }
    std::cout << report.agree << " of " << report.total << " dual-stack golden cases agree ("
              << pairs << " matrix pairs, " << report.total - pairs << " results of "
              << ScriptedCases().size()
              << " scripted cases: v6only_option, bind_address_errors, bindv6only_sysctl, "
                 "server_restart_*, v6_connection_blocks_v4_wildcard, ephemeral_shared_v4_v6, "
                 "tw_exhaust_v6_*, tcp_reuseport_dualstack, v6_socket_connects_v4mapped, "
                 "dualstack_accept, ss_format, udp_delivery_dualstack)\n";
    EXPECT_EQ(pairs, 2352 + 959 + 30) << "every pair of the three matrices is compared";
    EXPECT_EQ(report.agree, report.total) << "the tables should reproduce every recorded pair:\n"
                                          << report.Summary();
}

TEST(DualStackGolden, AWrongRecordedResultMakesItsPairDisagree)
{
    // One flipped value per case: the comparison must catch exactly that pair.
    for (const char* name : REPLAYED)
    {
        Json expected = Recorded(name);
        auto it = expected.begin();
        const std::string key = it.key();
        if (it->is_object())
        {
            std::string v = (*it)["listen2"].get<std::string>();
            (*it)["listen2"] = v == "ok" ? "EADDRINUSE" : "ok";
        }
        else
        {
            *it = it->get<std::string>() == "ok" ? "EADDRINUSE" : "ok";
        }
        GoldenReport report;
        CompareGoldenCase(name, expected, ModelResult(name, expected), report);
        ASSERT_EQ(report.mismatches.size(), 1u)
            << name << ": a falsified recording should give exactly one disagreement";
        EXPECT_EQ(report.mismatches[0].caseName, std::string(name) + ": " + key);
    }
}

TEST(DualStackGolden, AWrongRecordedResultMakesItsScriptedKeyDisagree)
{
    // One falsified key per native-IPv6 case: the comparison must catch exactly that key,
    // including a connect() port outside the case's range.
    const std::pair<const char*, const char*> FALSIFIED[] = {
        {"server_restart_listen[::]_v6client_old0_new0", "bind 0.0.0.0:8888"},
        {"v6_connection_blocks_v4_wildcard", "client port: bind 0.0.0.0"},
        {"ephemeral_shared_v4_v6", "connect#2 AF_INET6 -> ::1"},
        {"tw_exhaust_v6_reuse1", "connect_after_1.5s"},
        {"tw_exhaust_v6_then_v4", "v4 connect 127.0.0.1:8888 while v6 TIME_WAITs hold every port"},
        {"tcp_reuseport_dualstack", "bound [::] first"},
        {"udp_delivery_dualstack", "2x [::]/ra then 0.0.0.0/ra"},
    };
    for (const auto& [name, key] : FALSIFIED)
    {
        Json expected = Recorded(name);
        ASSERT_TRUE(expected.contains(key)) << name << " records '" << key << "'";
        const Json was = expected[key];
        expected[key] = was == Json("ok local=40002") ? Json("ok local=39999") : Json("falsified");
        Json got;
        for (const auto& [n, run] : ScriptedCases())
        {
            got = n == name ? run() : got;
        }
        GoldenReport report;
        CompareKeys(name, expected, got, report);
        ASSERT_EQ(report.mismatches.size(), 1u)
            << name << ": a falsified '" << key << "' should give exactly one disagreement";
        EXPECT_EQ(report.mismatches[0].caseName, std::string(name) + ": " + key);
    }
}

/// Recorded cases the tables cannot replay yet, each with what it needs (the transport and
/// scenario parts of issue 14).
const std::pair<const char*, const char*> NOT_YET_MODELLED[] = {
    {"link_local_scope", "ENODEV for an unknown scope id (no Errno yet); veth devices"},
};

TEST(DualStackGolden, EveryRecordedCaseIsReplayedOrListedAsNotYetModelled)
{
    int notYet = 0;
    for (const auto& [name, result] : DualStackGoldens())
    {
        bool replayed = name == "environment";
        for (const char* r : REPLAYED)
        {
            replayed = replayed || name == r;
        }
        for (const auto& [scripted, run] : ScriptedCases())
        {
            replayed = replayed || name == scripted;
        }
        const char* why = nullptr;
        for (const auto& [n, reason] : NOT_YET_MODELLED)
        {
            why = name == n ? reason : why;
        }
        EXPECT_NE(replayed, why != nullptr)
            << "recorded case '" << name
            << "' should be either replayed on the tables or listed as not yet modelled";
        if (why != nullptr)
        {
            std::cout << "  not yet modelled: " << name << " (needs " << why << ")\n";
            ++notYet;
        }
    }
    std::cout << notYet << " recorded dual-stack cases are not yet modelled at table level\n";
    EXPECT_EQ(notYet, static_cast<int>(std::size(NOT_YET_MODELLED)))
        << "every listed case should be in the recording";
}

TEST(DualStackGolden, SsFormatCatchesADualStackListenerPrintedAsV6Only)
{
    // ss prints `::` as `*` unless the socket is v6-only: a recording that said "[::]:8002"
    // for the dual-stack listener must disagree with the model, and only on that key.
    Json expected = Recorded("ss_format");
    bool changed = false;
    for (Json& line : expected["tcp"])
    {
        const std::string text = line.get<std::string>();
        const size_t at = text.find("*:8002 *:*");
        if (text.rfind("LISTEN", 0) == 0 && at != std::string::npos)
        {
            line = text.substr(0, at) + "[::]:8002 [::]:*";
            changed = true;
        }
    }
    ASSERT_TRUE(changed) << "the recording lists the dual-stack listener as *:8002";
    GoldenReport report;
    CompareKeys("ss_format", expected, SsFormat(), report);
    ASSERT_EQ(report.mismatches.size(), 1u);
    EXPECT_EQ(report.mismatches[0].caseName, "ss_format: tcp");
}
