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
std::string
Endpoint(Ipv4 addr, uint16_t port)
{
    return FormatIpv4(addr) + ":" + (port == 0 ? std::string("*") : std::to_string(port));
}
} // namespace

std::vector<SsRow>
SnapshotSockets(const HostPortSpace& host, bool tcp, bool udp)
{
    std::vector<SsRow> rows;
    if (tcp)
    {
        host.Tcp().ForEach(
            [&rows](const TcpSocketView& s) {
                rows.push_back(SsRow{"tcp",
                                     SsStateName(s.state),
                                     Endpoint(s.tuple.localAddr, s.tuple.localPort),
                                     Endpoint(s.tuple.remoteAddr, s.tuple.remotePort)});
            },
            [&rows](const TimeWaitEntry& tw) {
                // A FIN_WAIT2 timewait sock is listed by its substate, as ss shows it.
                rows.push_back(SsRow{"tcp",
                                     SsStateName((tw.flags & TW_FIN_WAIT2) ? TcpState::FIN_WAIT2
                                                                           : TcpState::TIME_WAIT),
                                     Endpoint(tw.tuple.localAddr, tw.tuple.localPort),
                                     Endpoint(tw.tuple.remoteAddr, tw.tuple.remotePort)});
            });
    }
    if (udp)
    {
        host.Udp().ForEach([&rows](const UdpSocketView& s) {
            rows.push_back(SsRow{"udp",
                                 s.connected ? "ESTAB" : "UNCONN",
                                 Endpoint(s.tuple.localAddr, s.tuple.localPort),
                                 Endpoint(s.tuple.remoteAddr, s.tuple.remotePort)});
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
