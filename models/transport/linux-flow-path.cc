/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-flow-path.h"

#include "ipv4/linux-route.h"
#include "link/lean-point-to-point-channel.h"
#include "transport/linux-tcp-l4-protocol.h"

#include "ns3/boolean.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/loopback-net-device.h"

#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxFlowPath");

LinuxFlowPath
FindFlowPath(Ptr<Node> node, Ipv4Address src, Ipv4Address dst, Ptr<Ipv4Route> route, bool& found)
{
    NS_LOG_FUNCTION(node << src << dst);
    LinuxFlowPath path;
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    if (!route)
    {
        Socket::SocketErrno err;
        route = LinuxRouteOutput(ipv4, dst, src, 0, err);
    }
    found = route != nullptr;
    if (!found)
    {
        return path;
    }
    Ptr<NetDevice> out = route->GetOutputDevice();
    Ptr<NetDevice> in;
    if (DynamicCast<LoopbackNetDevice>(out))
    {
        // The loopback hands the datagram back to this node after 0 s.
        in = out;
    }
    else
    {
        path.device = DynamicCast<LeanPointToPointNetDevice>(out);
        if (!path.device)
        {
            throw LinuxFlowRefusal("node " + std::to_string(node->GetId()) +
                                   " sends through a device that is not a lean point-to-point "
                                   "link (" +
                                   out->GetInstanceTypeId().GetName() + ")");
        }
        std::string why = path.device->FlowRefusal();
        Ptr<LeanPointToPointChannel> channel =
            DynamicCast<LeanPointToPointChannel>(path.device->GetChannel());
        Ptr<LeanPointToPointNetDevice> far =
            channel ? channel->GetPeer(PeekPointer(path.device)) : nullptr;
        if (why.empty() && far)
        {
            why = far->FlowRefusal();
        }
        if (!why.empty() || !far)
        {
            throw LinuxFlowRefusal(why.empty() ? "a link has one end" : why);
        }
        in = far;
    }
    Ptr<Node> peerNode = in->GetNode();
    Ptr<Ipv4> peerIpv4 = peerNode->GetObject<Ipv4>();
    Ptr<LinuxTcpL4Protocol> peerTcp = peerNode->GetObject<LinuxTcpL4Protocol>();
    if (!peerIpv4 || !peerTcp)
    {
        throw LinuxFlowRefusal("node " + std::to_string(peerNode->GetId()) +
                               " has no portlab TCP (LinuxStackHelper)");
    }
    // Any of the node's addresses is delivered locally, on whichever interface it arrives
    // (ns-3's and Linux's weak host model); the loopback's 127/8 too.
    const bool local = peerIpv4->GetInterfaceForAddress(dst) >= 0 ||
                       (in == out && Ipv4Mask("255.0.0.0").IsMatch(dst, Ipv4Address("127.0.0.0")));
    if (!local)
    {
        BooleanValue forward;
        peerIpv4->GetAttribute("IpForward", forward);
        if (forward.Get())
        {
            std::ostringstream os;
            os << "the path from node " << node->GetId() << " to " << dst << " passes node "
               << peerNode->GetId() << ", which forwards (more than one link)";
            throw LinuxFlowRefusal(os.str());
        }
        return path; // the far end drops it, as it drops the packet
    }
    path.peer = peerTcp;
    path.peerNodeId = peerNode->GetId();
    path.peerIfIndex = IfIndexOf(static_cast<uint32_t>(peerIpv4->GetInterfaceForDevice(in)));
    return path;
}

void
ThrowLatchedFlowRefusal()
{
    const std::string message = LeanPointToPointNetDevice::TakeFlowRefusal();
    if (!message.empty())
    {
        throw LinuxFlowRefusal(LinuxFlowRefusal::Made{}, message);
    }
}

} // namespace ns3
