/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "point-to-point-link.h"

#include "ns3/abort.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/string.h"

namespace ns3
{

NetDeviceContainer
LinkPointToPoint(NodeContainer pair,
                 const std::string& dataRate,
                 const std::string& delay,
                 const std::string& network)
{
    NS_ABORT_MSG_IF(pair.GetN() != 2, "LinkPointToPoint joins exactly two nodes");
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue(dataRate));
    p2p.SetChannelAttribute("Delay", StringValue(delay));
    NetDeviceContainer devs = p2p.Install(pair);
    Ipv4AddressHelper addr;
    addr.SetBase(network.c_str(), "255.255.255.0");
    addr.Assign(devs);
    return devs;
}

} // namespace ns3
