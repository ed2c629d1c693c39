/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_FLOW_PATH_H
#define LINUX_FLOW_PATH_H

#include "link/lean-point-to-point-net-device.h"

#include "ns3/ipv4-address.h"
#include "ns3/ipv4-route.h"
#include "ns3/node.h"
#include "ns3/ptr.h"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace ns3
{

class LinuxTcpL4Protocol;

/**
 * \ingroup portlab-transport
 * \brief The transport a node's TCP uses (the LinuxTcpL4Protocol `Transport` attribute).
 */
enum LinuxTransport
{
    LINUX_TRANSPORT_PACKET, //!< segments are ns3::Packets through IPv4 and the devices
    LINUX_TRANSPORT_FLOW,   //!< segments are events timed by the links (LinuxFlowPath)
};

/**
 * \ingroup portlab-transport
 * \brief The flow transport cannot give what the packet transport would (loss, a queue that
 * overflows, traced frames, a packet sharing the wire, a path of more than one link); what()
 * is a one-line reason.
 */
class LinuxFlowRefusal : public std::runtime_error
{
  public:
    /// \param reason why, one line
    explicit LinuxFlowRefusal(const std::string& reason)
        : std::runtime_error("flow transport refused: " + reason + "; use transport = packet")
    {
    }

    /// A message made already ("flow transport refused: ..."), kept as it is.
    struct Made
    {
    };

    /// \param message the whole message
    LinuxFlowRefusal(Made, const std::string& message)
        : std::runtime_error(message)
    {
    }
};

/**
 * \ingroup portlab-transport
 * \brief Call after Simulator::Run(): throws the LinuxFlowRefusal that stopped the run, if one
 * did (a refusal met while events run is latched and stops the simulator instead of being
 * thrown through ns-3's event loop: LeanPointToPointNetDevice::LatchFlowRefusal()).
 */
void ThrowLatchedFlowRefusal();

/**
 * \ingroup portlab-transport
 * \brief Where the flow transport delivers a segment from one local address to one remote
 * address: found once per address pair (FindFlowPath) and kept by the sending
 * LinuxTcpL4Protocol. The link's timing is not copied here: each segment asks the device
 * (LeanPointToPointNetDevice::SendFlowFrame), which keeps the FIFO's busy-until time per
 * direction, so back-to-back segments queue as packet frames do.
 */
struct LinuxFlowPath
{
    /// the TCP of the node the segment reaches; null when that node drops it (the address is
    /// not one of its own and it does not forward), as it would drop the packet
    Ptr<LinuxTcpL4Protocol> peer;
    uint32_t peerNodeId{0};  //!< its node (the context of the receive event)
    uint32_t peerIfIndex{0}; //!< the Linux ifindex the segment arrives on there
    /// the device that carries the segment; null on the loopback (delivered after 0 s)
    Ptr<LeanPointToPointNetDevice> device;
};

/**
 * \brief The path of the segments from \p src to \p dst sent by \p node: the route's output
 * device (LinuxRouteOutput unless \p route is given), the link's other end, and the TCP
 * there. Throws LinuxFlowRefusal where the flow transport would not be exact: a device that
 * is not a LeanPointToPointNetDevice or loopback, loss or traced frames at either end, a far
 * end that forwards (a path of more than one link) or has another TCP.
 * \param node the sending node
 * \param src the source address
 * \param dst the destination address
 * \param route the socket's route, or null to route now
 * \param found set to false when there is no route (the segment is dropped, as packets are)
 * \return the path
 */
LinuxFlowPath FindFlowPath(Ptr<Node> node,
                           Ipv4Address src,
                           Ipv4Address dst,
                           Ptr<Ipv4Route> route,
                           bool& found);

} // namespace ns3

#endif // LINUX_FLOW_PATH_H
