/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_POINT_TO_POINT_LINK_BUILDER_H
#define PORTLAB_POINT_TO_POINT_LINK_BUILDER_H

#include "link/lean-point-to-point-helper.h"

#include "ns3/data-rate.h"
#include "ns3/ipv4-address.h"
#include "ns3/net-device-container.h"
#include "ns3/nstime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{

/// Frames a link's transmit queue holds: as many as the FqCoDel queue disc did (its MaxSize),
/// so that a burst of SYNs from many sockets at one instant is not cut to the 100-frame default.
constexpr uint32_t LINK_TX_QUEUE_FRAMES = 10240;

/**
 * \ingroup portlab-link
 * \brief The one way portlab joins two nodes: a LeanPointToPoint link with its rate, delay,
 * transmit queue and packet loss, used by scenarios, socket scripts and LinkPointToPoint.
 *
 * Each end's device gets a RateErrorModel (packet unit) when the loss is above 0: each
 * direction loses arriving packets independently, as netem on each veth end would. Link k
 * (0, 1, ...) numbers its two error models' streams StreamNumbers::LINK_LOSS + 2k (its first
 * node's end) and + 2k + 1, so the same seed loses the same packets. No queue
 * disc is installed: the devices have no NetDeviceQueueInterface, and their own transmit
 * queue (LINK_TX_QUEUE_FRAMES) is enough for a link that is never the bottleneck.
 */
class PointToPointLinkBuilder
{
  public:
    /// A link's parameters.
    struct Parameters
    {
        DataRate rate{DataRate(uint64_t(10000000000))}; //!< each direction's rate
        Time delay{MilliSeconds(1)};                     //!< propagation delay
        double loss{0};                                  //!< probability a packet is lost
    };

    /**
     * \brief Join two nodes with a new link (the next link number).
     * \param a the first node \param b the second node \param p the link's parameters
     * \return the two devices, a's first; not yet IPv4 interfaces (see AddInterface)
     */
    NetDeviceContainer Join(Ptr<Node> a, Ptr<Node> b, const Parameters& p);

    /**
     * \brief Make a device an IPv4 interface of its node, up, with these addresses.
     * \param dev the device \param addresses its addresses \param mask their mask
     * \return the interface index
     */
    static uint32_t AddInterface(Ptr<NetDevice> dev,
                                 const std::vector<Ipv4Address>& addresses,
                                 Ipv4Mask mask = Ipv4Mask("255.255.255.0"));

    /**
     * \brief Capture what one end of a link sends and receives into a pcap file.
     * \param file the file \param dev the link end
     */
    void EnablePcap(const std::string& file, Ptr<NetDevice> dev);

    /// \return how many links Join() made
    uint32_t Links() const
    {
        return m_links;
    }

  private:
    LeanPointToPointHelper m_helper; //!< makes the devices and channels
    uint32_t m_links{0};             //!< links made so far
};

} // namespace ns3

#endif // PORTLAB_POINT_TO_POINT_LINK_BUILDER_H
