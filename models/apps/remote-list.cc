/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/remote-list.h"

#include "ns3/abort.h"
#include "ns3/inet-socket-address.h"

#include <cstdio>
#include <sstream>

namespace ns3
{

namespace
{

std::string
Trim(const std::string& s)
{
    size_t b = s.find_first_not_of(" \t");
    size_t e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

} // namespace

std::vector<Address>
ParseRemoteList(const std::string& text)
{
    std::vector<Address> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
    {
        item = Trim(item);
        if (item.empty())
        {
            continue;
        }
        size_t colon = item.rfind(':');
        NS_ABORT_MSG_IF(colon == std::string::npos || colon == 0 || colon + 1 == item.size(),
                        "remote list item \"" << item << "\" is not ADDRESS:PORT");
        std::string addr = item.substr(0, colon);
        std::string port = item.substr(colon + 1);
        NS_ABORT_MSG_IF(port.find_first_not_of("0123456789") != std::string::npos ||
                            port.size() > 5 || std::stoul(port) > 65535,
                        "remote list item \"" << item << "\": port must be 0-65535");
        Ipv4Address a(addr.c_str());
        unsigned b[4];
        char tail;
        NS_ABORT_MSG_IF(
            std::sscanf(addr.c_str(), "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4 ||
                b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255,
            "remote list item \"" << item << "\": not a dotted IPv4 address");
        out.emplace_back(InetSocketAddress(a, static_cast<uint16_t>(std::stoul(port))));
    }
    return out;
}

std::string
FormatRemoteList(const std::vector<Address>& remotes)
{
    std::ostringstream out;
    for (size_t i = 0; i < remotes.size(); ++i)
    {
        InetSocketAddress a = InetSocketAddress::ConvertFrom(remotes[i]);
        out << (i ? "," : "") << a.GetIpv4() << ":" << a.GetPort();
    }
    return out.str();
}

void
RoundRobinRemotes::Set(const std::vector<Address>& remotes)
{
    m_remotes = remotes;
    m_next = 0;
}

void
RoundRobinRemotes::Add(const Address& remote)
{
    m_remotes.push_back(remote);
}

bool
RoundRobinRemotes::Valid(const Address& fallback) const
{
    return !m_remotes.empty() || !fallback.IsInvalid();
}

Address
RoundRobinRemotes::Next(const Address& fallback)
{
    if (m_remotes.empty())
    {
        return fallback;
    }
    Address a = m_remotes[m_next % m_remotes.size()];
    m_next = (m_next + 1) % m_remotes.size();
    return a;
}

} // namespace ns3
