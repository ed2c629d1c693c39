/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "link/point-to-point-link.h"

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
    PointToPointLinkBuilder::Parameters p;
    p.rate = DataRate(dataRate);
    p.delay = Time(delay);
    NetDeviceContainer devs = PointToPointLinkBuilder().Join(pair.Get(0), pair.Get(1), p);
    Ipv4AddressHelper addr;
    addr.SetBase(network.c_str(), "255.255.255.0");
    addr.Assign(devs);
    return devs;
}

} // namespace ns3
