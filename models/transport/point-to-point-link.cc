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
    // As many packets as the FqCoDel queue disc held (its MaxSize): a burst of SYNs from many
    // sockets at one instant must not be cut to the 100-packet default.
    p2p.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("10240p"));
    // No NetDeviceQueueInterface: its flow control (stop the traffic control layer when the
    // device queue is full) fired two traced callbacks per packet, 6% of a churn run. A full
    // queue now drops at the device (MacTxDrop) instead of at the traffic control layer.
    p2p.DisableFlowControl();
    NetDeviceContainer devs = p2p.Install(pair);
    Ipv4AddressHelper addr;
    addr.SetBase(network.c_str(), "255.255.255.0");
    addr.Assign(devs);
    // Assign() installs ns-3's default root queue disc (FqCoDel) only on devices with a
    // NetDeviceQueueInterface, so these get none: FqCoDel created a CoDel class per new flow,
    // a third of a short-connection run. The devices' own DropTail queue (sized as above) is
    // enough for a link that is never the bottleneck.
    return devs;
}

} // namespace ns3
