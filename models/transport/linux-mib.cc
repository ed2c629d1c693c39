/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-mib.h"

#include "ns3/log.h"

NS_LOG_COMPONENT_DEFINE("LinuxMib");

namespace ns3
{

namespace
{
/// The names, in Counter order (nstat's: the /proc/net/snmp or netstat row, then the column).
const char* const NAMES[LinuxMib::COUNT] = {"TcpActiveOpens",
                                            "TcpPassiveOpens",
                                            "TcpAttemptFails",
                                            "TcpEstabResets",
                                            "TcpCurrEstab",
                                            "TcpOutRsts",
                                            "TcpExtTW",
                                            "TcpExtTWKilled",
                                            "TcpExtTWRecycled",
                                            "TcpExtTCPTimeWaitOverflow",
                                            "TcpExtListenOverflows",
                                            "TcpExtListenDrops",
                                            "UdpNoPorts",
                                            "UdpInDatagrams",
                                            "UdpOutDatagrams"};
} // namespace

const char*
LinuxMib::Name(Counter c)
{
    return c >= 0 && c < COUNT ? NAMES[c] : "?";
}

bool
LinuxMib::Find(const std::string& name, Counter& c)
{
    for (int i = 0; i < COUNT; ++i)
    {
        if (name == NAMES[i])
        {
            c = static_cast<Counter>(i);
            return true;
        }
    }
    return false;
}

} // namespace ns3
