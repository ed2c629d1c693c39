/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/port-table-snapshot.h"

#include <algorithm>

namespace portlab
{

namespace
{
/// The port column of an address: the number, or `*` for none.
std::string
PortText(uint16_t port)
{
    return port == 0 ? std::string("*") : std::to_string(port);
}

/// An AF_INET end as ss prints it: `a.b.c.d:port`.
std::string
Endpoint(Ipv4 addr, uint16_t port)
{
    return FormatIpv4(addr) + ":" + PortText(port);
}

/**
 * An AF_INET6 end as ss prints it (iproute2 misc/ss.c inet_addr_print(), linux-ipv6-dualstack
 * §11): the address in brackets, except `::` of a socket that is not v6-only, which is `*`.
 */
std::string
Endpoint6(const Ipv6& addr, bool v6only, uint16_t port)
{
    if (addr == Ipv6{} && !v6only)
    {
        return "*:" + PortText(port);
    }
    return "[" + FormatIpv6(addr) + "]:" + PortText(port);
}

/// The IPv6 form of an AF_INET6 socket's local address: `::`, ::ffff:v4 or the host's address.
Ipv6
LocalIpv6(const RcvSaddr& r, const LocalAddresses& addresses)
{
    if (r.v6 == V6_ANY)
    {
        return Ipv6{};
    }
    if (r.v6 == V6_MAPPED)
    {
        return MakeMappedIpv6(r.v4);
    }
    return addresses.Ipv6Of(r.v6);
}

/// The IPv6 form of an AF_INET6 socket's peer: its native address, or ::ffff:v4 (`::` if none).
Ipv6
PeerIpv6(const Ipv6* native, Ipv4 v4, uint16_t port)
{
    if (native != nullptr)
    {
        return *native;
    }
    return port == 0 ? Ipv6{} : MakeMappedIpv6(v4);
}
} // namespace

std::vector<SsRow>
SnapshotSockets(const HostPortSpace& host, bool tcp, bool udp)
{
    std::vector<SsRow> rows;
    if (tcp)
    {
        const TcpPortTable& table = host.Tcp();
        const LocalAddresses& addresses = host.Addresses();
        table.ForEach(
            [&rows, &table, &addresses](const TcpSocketView& s) {
                const RcvSaddr r = table.LocalRcvSaddr(s.id);
                if (r.v6 == V6_NONE)
                {
                    rows.push_back(SsRow{"tcp",
                                         SsStateName(s.state),
                                         Endpoint(s.tuple.localAddr, s.tuple.localPort),
                                         Endpoint(s.tuple.remoteAddr, s.tuple.remotePort)});
                    return;
                }
                const FourTuple6* key = table.SocketKey6(s.id);
                rows.push_back(
                    SsRow{"tcp",
                          SsStateName(s.state),
                          Endpoint6(LocalIpv6(r, addresses), r.ipv6only, s.tuple.localPort),
                          Endpoint6(PeerIpv6(key ? &key->remoteAddr : nullptr,
                                             s.tuple.remoteAddr,
                                             s.tuple.remotePort),
                                    r.ipv6only,
                                    s.tuple.remotePort)});
            },
            [&rows, &table, &addresses](const TimeWaitEntry& tw) {
                // A FIN_WAIT2 timewait sock is listed by its substate, as ss shows it.
                const std::string state = SsStateName(
                    (tw.flags & TW_FIN_WAIT2) ? TcpState::FIN_WAIT2 : TcpState::TIME_WAIT);
                const bool v6only = (tw.flags & TW_V6ONLY) != 0;
                if (tw.ext & TWX_NATIVE6)
                {
                    const FourTuple6& key = table.TimeWaitKey6(tw);
                    rows.push_back(SsRow{
                        "tcp",
                        state,
                        Endpoint6(addresses.Ipv6Of(key.localAddr), v6only, tw.tuple.localPort),
                        Endpoint6(key.remoteAddr, v6only, tw.tuple.remotePort)});
                }
                else if (tw.flags & TW_INET6)
                {
                    rows.push_back(SsRow{
                        "tcp",
                        state,
                        Endpoint6(MakeMappedIpv6(tw.tuple.localAddr), v6only, tw.tuple.localPort),
                        Endpoint6(MakeMappedIpv6(tw.tuple.remoteAddr),
                                  v6only,
                                  tw.tuple.remotePort)});
                }
                else
                {
                    rows.push_back(SsRow{"tcp",
                                         state,
                                         Endpoint(tw.tuple.localAddr, tw.tuple.localPort),
                                         Endpoint(tw.tuple.remoteAddr, tw.tuple.remotePort)});
                }
            });
    }
    if (udp)
    {
        const UdpPortTable& table = host.Udp();
        const LocalAddresses& addresses = host.Addresses();
        table.ForEach([&rows, &table, &addresses](const UdpSocketView& s) {
            const RcvSaddr r = table.LocalRcvSaddr(s.id);
            const std::string state = s.connected ? "ESTAB" : "UNCONN";
            if (r.v6 == V6_NONE)
            {
                rows.push_back(SsRow{"udp",
                                     state,
                                     Endpoint(s.tuple.localAddr, s.tuple.localPort),
                                     Endpoint(s.tuple.remoteAddr, s.tuple.remotePort)});
                return;
            }
            rows.push_back(
                SsRow{"udp",
                      state,
                      Endpoint6(LocalIpv6(r, addresses), r.ipv6only, s.tuple.localPort),
                      Endpoint6(PeerIpv6(table.Peer6(s.id), s.tuple.remoteAddr, s.tuple.remotePort),
                                r.ipv6only,
                                s.tuple.remotePort)});
        });
    }
    return rows;
}

std::vector<std::pair<std::string, int>>
CountTcpStates(const HostPortSpace& host)
{
    std::vector<std::pair<std::string, int>> counts;
    for (const SsRow& r : SnapshotSockets(host, true, false))
    {
        auto it = std::find_if(counts.begin(), counts.end(), [&r](const auto& c) {
            return c.first == r.state;
        });
        if (it == counts.end())
        {
            counts.emplace_back(r.state, 1);
        }
        else
        {
            ++it->second;
        }
    }
    return counts;
}

std::string
FormatSs(const std::vector<SsRow>& rows)
{
    const char* headers[4] = {"Netid", "State", "Local Address:Port", "Peer Address:Port"};
    size_t width[4] = {5, 5, 18, 17};
    for (const SsRow& r : rows)
    {
        width[0] = std::max(width[0], r.netid.size());
        width[1] = std::max(width[1], r.state.size());
        width[2] = std::max(width[2], r.local.size());
        width[3] = std::max(width[3], r.peer.size());
    }
    auto line = [&width](const std::string& a,
                         const std::string& b,
                         const std::string& c,
                         const std::string& d) {
        std::string out;
        const std::string* cols[4] = {&a, &b, &c, &d};
        for (int i = 0; i < 4; ++i)
        {
            out += *cols[i];
            if (i < 3)
            {
                out.append(width[i] - cols[i]->size() + 2, ' ');
            }
        }
        return out + "\n";
    };
    std::string out = line(headers[0], headers[1], headers[2], headers[3]);
    for (const SsRow& r : rows)
    {
        out += line(r.netid, r.state, r.local, r.peer);
    }
    return out;
}

} // namespace portlab
