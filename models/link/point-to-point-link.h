/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef POINT_TO_POINT_LINK_H
#define POINT_TO_POINT_LINK_H

#include "link/point-to-point-link-builder.h"

#include "ns3/net-device-container.h"
#include "ns3/node-container.h"

#include <cstdint>
#include <string>

namespace ns3
{

/**
 * \ingroup portlab-link
 * \brief Join two nodes with a point-to-point link (LeanPointToPointNetDevice: ns-3's
 * PointToPointNetDevice behaviour at less cost per packet) and address it as NETWORK/24: the first
 * node gets .1, the second .2. Routing is left to the caller (one
 * Ipv4GlobalRoutingHelper::PopulateRoutingTables() after all links). No queue disc: packets go
 * straight to the devices' transmit queues (LINK_TX_QUEUE_FRAMES each), not through the
 * FqCoDel root queue disc that Ipv4AddressHelper installs on devices with flow control. A
 * datagram that finds the queue full is dropped by the device (its MacTxDrop trace).
 * \param pair exactly two nodes with an IPv4 stack
 * \param dataRate e.g. "10Gbps"
 * \param delay e.g. "1ms"
 * \param network e.g. "10.1.1.0"
 * \return the two devices, in the order of \p pair
 */
NetDeviceContainer LinkPointToPoint(NodeContainer pair,
                                    const std::string& dataRate,
                                    const std::string& delay,
                                    const std::string& network = "10.1.1.0");

} // namespace ns3

#endif // POINT_TO_POINT_LINK_H
