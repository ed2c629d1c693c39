/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "point-to-point-link.h"

#include "lean-point-to-point-helper.h"

#include "ns3/abort.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

namespace ns3
{

NetDeviceContainer
LinkPointToPoint(NodeContainer pair,
                 const std::string& dataRate,
                 const std::string& delay,
                 const std::string& network)
{
    NS_ABORT_MSG_IF(pair.GetN() != 2, "LinkPointToPoint joins exactly two nodes");
    LeanPointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue(dataRate));
    p2p.SetChannelAttribute("Delay", StringValue(delay));
    p2p.SetDeviceAttribute("TxQueueLimit", UintegerValue(LINK_TX_QUEUE_FRAMES));
    NetDeviceContainer devs = p2p.Install(pair);
    Ipv4AddressHelper addr;
    addr.SetBase(network.c_str(), "255.255.255.0");
    addr.Assign(devs);
    // Assign() installs ns-3's default root queue disc (FqCoDel) only on devices with a
    // NetDeviceQueueInterface, and these have none: FqCoDel created a CoDel class per new flow,
    // a third of a short-connection run. The devices' own transmit queue (sized as above) is
    // enough for a link that is never the bottleneck.
    return devs;
}

} // namespace ns3
