/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ipv4/linux-ipv4-l3-protocol.h"

#include "ns3/arp-l3-protocol.h"
#include "ns3/boolean.h"
#include "ns3/icmpv4-l4-protocol.h"
#include "ns3/ip-l4-protocol.h"
#include "ns3/ipv4-interface.h"
#include "ns3/ipv4-queue-disc-item.h"
#include "ns3/ipv4-route.h"
#include "ns3/ipv6.h"
#include "ns3/log.h"
#include "ns3/loopback-net-device.h"
#include "ns3/net-device-queue-interface.h"
#include "ns3/node.h"
#include "ns3/queue-disc.h"
#include "ns3/socket.h"
#include "ns3/traffic-control-layer.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LinuxIpv4L3Protocol");

NS_OBJECT_ENSURE_REGISTERED(LinuxIpv4L3Protocol);

namespace
{
/// Drop what a device padded after the datagram, as Ipv4L3Protocol::Receive does.
/// \param payload the datagram without its IPv4 header \param ip that header
void
TrimPadding(Ptr<Packet> payload, const Ipv4Header& ip)
{
    if (ip.GetPayloadSize() < payload->GetSize())
    {
        payload->RemoveAtEnd(payload->GetSize() - ip.GetPayloadSize());
    }
}
} // namespace

TypeId
LinuxIpv4L3Protocol::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LinuxIpv4L3Protocol")
            .SetParent<Ipv4L3Protocol>()
            .SetGroupName("Portlab")
            .AddConstructor<LinuxIpv4L3Protocol>()
            .AddAttribute("FastPath",
                          "Whether datagrams this host sends or receives itself may skip ns-3's "
                          "routing lookups (the packets are the same either way). While true, "
                          "those datagrams fire FastTx and FastRx instead of Ipv4L3Protocol's "
                          "Tx, Rx, SendOutgoing and LocalDeliver; false sends every packet "
                          "through Ipv4L3Protocol.",
                          BooleanValue(true),
                          MakeBooleanAccessor(&LinuxIpv4L3Protocol::SetFastPath,
                                              &LinuxIpv4L3Protocol::GetFastPath),
                          MakeBooleanChecker())
            .AddTraceSource("FastTx",
                            "A datagram (IPv4 header included) sent on the short path: what "
                            "Ipv4L3Protocol's Tx would have shown",
                            MakeTraceSourceAccessor(&LinuxIpv4L3Protocol::m_fastTxTrace),
                            "ns3::Ipv4L3Protocol::TxRxTracedCallback")
            .AddTraceSource("FastRx",
                            "A datagram (IPv4 header included) received on the short path: "
                            "what Ipv4L3Protocol's Rx would have shown",
                            MakeTraceSourceAccessor(&LinuxIpv4L3Protocol::m_fastRxTrace),
                            "ns3::Ipv4L3Protocol::TxRxTracedCallback");
    return tid;
}

LinuxIpv4L3Protocol::LinuxIpv4L3Protocol()
{
    NS_LOG_FUNCTION(this);
}

LinuxIpv4L3Protocol::~LinuxIpv4L3Protocol()
{
    NS_LOG_FUNCTION(this);
}

void
LinuxIpv4L3Protocol::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_fast.clear();
    m_transports.fill(nullptr);
    m_transportLooked.fill(false);
    m_tc = nullptr;
    m_netfilter = nullptr;
    m_addressInterfaces.clear();
    m_indexedInterfaces = 0;
    Ipv4L3Protocol::DoDispose();
}

void
LinuxIpv4L3Protocol::DoInitialize()
{
    m_checksum = Node::ChecksumEnabled();
    ReadDefaultTtl();
    Ipv4L3Protocol::DoInitialize();
}

void
LinuxIpv4L3Protocol::ReadDefaultTtl()
{
    UintegerValue ttl;
    GetAttribute("DefaultTtl", ttl);
    m_defaultTtl = static_cast<uint8_t>(ttl.Get());
}

void
LinuxIpv4L3Protocol::SetFastPath(bool enabled)
{
    m_fastPath = enabled;
}

void
LinuxIpv4L3Protocol::SetNetfilter(Ptr<Ipv4Netfilter> netfilter)
{
    NS_LOG_FUNCTION(this << netfilter);
    m_netfilter = netfilter;
}

bool
LinuxIpv4L3Protocol::GetFastPath() const
{
    return m_fastPath;
}

uint32_t
LinuxIpv4L3Protocol::AddInterface(Ptr<NetDevice> device)
{
    NS_LOG_FUNCTION(this << device);
    uint32_t index = Ipv4L3Protocol::AddInterface(device);
    Ptr<Node> node = device->GetNode();
    Ptr<Ipv4Interface> iface = GetInterface(index);
    m_tc = node->GetObject<TrafficControlLayer>();
    m_checksum = Node::ChecksumEnabled();
    ReadDefaultTtl();
    // Ipv4L3Protocol::AddInterface has just registered TrafficControlLayer::Receive with the
    // node twice for this device (IPv4, then ARP). Take both registrations back: this class's
    // two handlers, registered once for every device, take the frames of the devices it took
    // over (IPv4 to the short path, ARP on to the traffic control layer as before) and ignore
    // the others, whose own registrations stay. One pair for all devices also spares the node
    // a scan of two entries per device for every frame (10,000 devices on one server).
    // Node::UnregisterProtocolHandler removes the first registration of a handler, so this is
    // only done while no other layer (IPv6) has registered the same one, and once one device
    // keeps ns-3's registration later ones must too, or the next removal would take that
    // device's registration instead of the new one's.
    bool takeOver = !m_keptTrafficControl && !node->GetObject<Ipv6>() && !device->NeedsArp() &&
                    !DynamicCast<LoopbackNetDevice>(device);
    m_keptTrafficControl = !takeOver;
    if (takeOver)
    {
        Node::ProtocolHandler tcReceive = MakeCallback(&TrafficControlLayer::Receive, m_tc);
        node->UnregisterProtocolHandler(tcReceive);
        node->UnregisterProtocolHandler(tcReceive);
        if (!m_handlersRegistered)
        {
            node->RegisterProtocolHandler(
                MakeCallback(&LinuxIpv4L3Protocol::ReceiveFromDevice, this),
                Ipv4L3Protocol::PROT_NUMBER,
                nullptr);
            node->RegisterProtocolHandler(
                MakeCallback(&LinuxIpv4L3Protocol::PassToTrafficControl, this),
                ArpL3Protocol::PROT_NUMBER,
                nullptr);
            m_handlersRegistered = true;
        }
    }
    uint32_t ifIndex = device->GetIfIndex();
    if (ifIndex >= m_fast.size())
    {
        m_fast.resize(ifIndex + 1);
    }
    FastInterface& fi = m_fast[ifIndex];
    fi.iface = iface;
    fi.device = device;
    fi.broadcast = device->GetBroadcast();
    fi.index = index;
    fi.eligible = takeOver;
    RefreshLocals(index);
    return index;
}

LinuxIpv4L3Protocol::FastInterface*
LinuxIpv4L3Protocol::FastFor(const Ptr<NetDevice>& device)
{
    uint32_t ifIndex = device->GetIfIndex();
    if (ifIndex >= m_fast.size())
    {
        return nullptr;
    }
    FastInterface& fi = m_fast[ifIndex];
    return fi.device == device ? &fi : nullptr;
}

void
LinuxIpv4L3Protocol::RefreshLocals(uint32_t interfaceIndex)
{
    if (interfaceIndex >= GetNInterfaces())
    {
        return;
    }
    Ptr<NetDevice> device = GetNetDevice(interfaceIndex);
    FastInterface* fi = device ? FastFor(device) : nullptr;
    if (!fi)
    {
        return;
    }
    fi->locals.clear();
    for (uint32_t a = 0; a < fi->iface->GetNAddresses(); ++a)
    {
        fi->locals.push_back(fi->iface->GetAddress(a).GetLocal());
    }
}

void
LinuxIpv4L3Protocol::IndexNewInterfaces() const
{
    const uint32_t n = GetNInterfaces();
    for (; m_indexedInterfaces < n; ++m_indexedInterfaces)
    {
        const uint32_t i = m_indexedInterfaces;
        for (uint32_t a = 0; a < GetNAddresses(i); ++a)
        {
            // Interfaces are indexed in ascending order: appending keeps each list sorted.
            m_addressInterfaces[GetAddress(i, a).GetLocal().Get()].push_back(i);
        }
    }
}

void
LinuxIpv4L3Protocol::UnindexAddress(Ipv4Address address, uint32_t interface)
{
    auto it = m_addressInterfaces.find(address.Get());
    if (it == m_addressInterfaces.end())
    {
        return;
    }
    auto& interfaces = it->second;
    auto one = std::find(interfaces.begin(), interfaces.end(), interface);
    if (one != interfaces.end())
    {
        interfaces.erase(one);
    }
    if (interfaces.empty())
    {
        m_addressInterfaces.erase(it);
    }
}

int32_t
LinuxIpv4L3Protocol::GetInterfaceForAddress(Ipv4Address address) const
{
    IndexNewInterfaces();
    auto it = m_addressInterfaces.find(address.Get());
    return it == m_addressInterfaces.end() ? -1 : static_cast<int32_t>(it->second.front());
}

bool
LinuxIpv4L3Protocol::AddAddress(uint32_t i, Ipv4InterfaceAddress address)
{
    IndexNewInterfaces();
    bool added = Ipv4L3Protocol::AddAddress(i, address);
    if (added && i < m_indexedInterfaces)
    {
        auto& interfaces = m_addressInterfaces[address.GetLocal().Get()];
        interfaces.insert(std::upper_bound(interfaces.begin(), interfaces.end(), i), i);
    }
    RefreshLocals(i);
    return added;
}

bool
LinuxIpv4L3Protocol::RemoveAddress(uint32_t interfaceIndex, uint32_t addressIndex)
{
    IndexNewInterfaces();
    Ipv4Address address;
    if (interfaceIndex < GetNInterfaces() && addressIndex < GetNAddresses(interfaceIndex))
    {
        address = GetAddress(interfaceIndex, addressIndex).GetLocal();
    }
    bool removed = Ipv4L3Protocol::RemoveAddress(interfaceIndex, addressIndex);
    if (removed)
    {
        UnindexAddress(address, interfaceIndex);
    }
    RefreshLocals(interfaceIndex);
    return removed;
}

bool
LinuxIpv4L3Protocol::RemoveAddress(uint32_t interface, Ipv4Address address)
{
    IndexNewInterfaces();
    bool removed = Ipv4L3Protocol::RemoveAddress(interface, address);
    if (removed)
    {
        UnindexAddress(address, interface);
    }
    RefreshLocals(interface);
    return removed;
}

Ptr<Socket>
LinuxIpv4L3Protocol::CreateRawSocket()
{
    ++m_rawSockets;
    return Ipv4L3Protocol::CreateRawSocket();
}

void
LinuxIpv4L3Protocol::DeleteRawSocket(Ptr<Socket> socket)
{
    if (m_rawSockets > 0)
    {
        --m_rawSockets;
    }
    Ipv4L3Protocol::DeleteRawSocket(socket);
}

void
LinuxIpv4L3Protocol::ForgetTransports()
{
    m_transports.fill(nullptr);
    m_transportLooked.fill(false);
}

void
LinuxIpv4L3Protocol::Insert(Ptr<IpL4Protocol> protocol)
{
    Ipv4L3Protocol::Insert(protocol);
    ForgetTransports();
}

void
LinuxIpv4L3Protocol::Insert(Ptr<IpL4Protocol> protocol, uint32_t interfaceIndex)
{
    Ipv4L3Protocol::Insert(protocol, interfaceIndex);
    m_perInterfaceTransports = true;
    ForgetTransports();
}

void
LinuxIpv4L3Protocol::Remove(Ptr<IpL4Protocol> protocol)
{
    Ipv4L3Protocol::Remove(protocol);
    ForgetTransports();
}

void
LinuxIpv4L3Protocol::Remove(Ptr<IpL4Protocol> protocol, uint32_t interfaceIndex)
{
    Ipv4L3Protocol::Remove(protocol, interfaceIndex);
    ForgetTransports();
}

Ptr<IpL4Protocol>
LinuxIpv4L3Protocol::Transport(uint8_t protocolNumber, uint32_t interfaceIndex)
{
    if (m_perInterfaceTransports)
    {
        return GetProtocol(protocolNumber, static_cast<int32_t>(interfaceIndex));
    }
    if (!m_transportLooked[protocolNumber])
    {
        m_transports[protocolNumber] = GetProtocol(protocolNumber);
        m_transportLooked[protocolNumber] = true;
    }
    return m_transports[protocolNumber];
}

void
LinuxIpv4L3Protocol::PassToTrafficControl(Ptr<NetDevice> device,
                                          Ptr<const Packet> p,
                                          uint16_t protocol,
                                          const Address& from,
                                          const Address& to,
                                          NetDevice::PacketType packetType)
{
    FastInterface* fi = FastFor(device);
    if (fi && fi->eligible)
    {
        m_tc->Receive(device, p, protocol, from, to, packetType);
    }
    // Other devices kept their own registration with the traffic control layer.
}

Ptr<const Packet>
LinuxIpv4L3Protocol::Filter(const FastInterface& fi, Ptr<const Packet> p)
{
    Ptr<Packet> packet = p->Copy();
    Ipv4Header ip;
    if (m_checksum)
    {
        ip.EnableChecksum();
    }
    packet->RemoveHeader(ip);
    const uint8_t proto = ip.GetProtocol();
    const Ipv4Address dst = ip.GetDestination();
    if ((proto != 6 && proto != 17) || !ip.IsChecksumOk() || !ip.IsLastFragment() ||
        ip.GetFragmentOffset() != 0 || ip.GetPayloadSize() > packet->GetSize() ||
        dst.IsBroadcast() || dst.IsMulticast())
    {
        return p; // not a datagram the filter tracks: on as it came
    }
    TrimPadding(packet, ip);
    if (!m_netfilter->Received(packet, ip, fi.index))
    {
        return nullptr;
    }
    packet->AddHeader(ip);
    return packet;
}

void
LinuxIpv4L3Protocol::ReceiveFromDevice(Ptr<NetDevice> device,
                                       Ptr<const Packet> p,
                                       uint16_t protocol,
                                       const Address& from,
                                       const Address& to,
                                       NetDevice::PacketType packetType)
{
    FastInterface* fi = FastFor(device);
    if (!fi || !fi->eligible)
    {
        return; // not a device this class took over: its own registration delivers the frame
    }
    if (m_netfilter && fi->iface->IsUp())
    {
        p = Filter(*fi, p);
        if (!p)
        {
            return; // dropped by the filter
        }
    }
    if (!m_fastPath || m_rawSockets > 0 || !fi->iface->IsUp())
    {
        m_tc->Receive(device, p, protocol, from, to, packetType);
        return;
    }
    Ptr<Packet> packet = p->Copy();
    Ipv4Header ip;
    if (m_checksum)
    {
        ip.EnableChecksum();
    }
    packet->RemoveHeader(ip);
    Ipv4Address dst = ip.GetDestination();
    Ptr<IpL4Protocol> transport;
    bool local = std::find(fi->locals.begin(), fi->locals.end(), dst) != fi->locals.end();
    if (local && ip.IsChecksumOk() && ip.IsLastFragment() && ip.GetFragmentOffset() == 0 &&
        ip.GetPayloadSize() <= packet->GetSize())
    {
        transport = Transport(ip.GetProtocol(), fi->index);
    }
    if (!transport)
    {
        // Not a plain unicast datagram for this interface: Ipv4L3Protocol decides.
        m_tc->Receive(device, p, protocol, from, to, packetType);
        return;
    }
    TrimPadding(packet, ip);
    ++m_fastReceived;
    if (!m_fastRxTrace.IsEmpty())
    {
        m_fastRxTrace(p, this, fi->index);
    }
    IpL4Protocol::RxStatus status = transport->Receive(packet, ip, fi->iface);
    if (status != IpL4Protocol::RX_ENDPOINT_UNREACH)
    {
        return;
    }
    // As Ipv4L3Protocol::LocalDeliver: an ICMP port unreachable quoting the datagram, unless
    // it was sent to a (subnet-directed) broadcast address. The destination is unicast here.
    for (uint32_t a = 0; a < fi->iface->GetNAddresses(); ++a)
    {
        Ipv4InterfaceAddress addr = fi->iface->GetAddress(a);
        if (addr.GetLocal().CombineMask(addr.GetMask()) == dst.CombineMask(addr.GetMask()) &&
            dst.IsSubnetDirectedBroadcast(addr.GetMask()))
        {
            return;
        }
    }
    Ptr<IpL4Protocol> icmpTransport = Transport(Icmpv4L4Protocol::PROT_NUMBER, fi->index);
    Ptr<Icmpv4L4Protocol> icmp =
        icmpTransport ? icmpTransport->GetObject<Icmpv4L4Protocol>() : nullptr;
    if (icmp)
    {
        Ptr<Packet> quoted = p->Copy();
        Ipv4Header ignored;
        quoted->RemoveHeader(ignored);
        TrimPadding(quoted, ip);
        icmp->SendDestUnreachPort(ip, quoted);
    }
}

void
LinuxIpv4L3Protocol::Send(Ptr<Packet> packet,
                          Ipv4Address source,
                          Ipv4Address destination,
                          uint8_t protocol,
                          Ptr<Ipv4Route> route)
{
    if (m_netfilter && (protocol == 6 || protocol == 17) &&
        !m_netfilter->LocalOut(packet, source, destination, protocol))
    {
        return; // dropped by the filter
    }
    FastInterface* fi = nullptr;
    if (m_fastPath && route && route->GetGateway().IsInitialized() && !destination.IsBroadcast() &&
        !destination.IsMulticast())
    {
        fi = FastFor(route->GetOutputDevice());
    }
    Ipv4Address target;
    if (fi)
    {
        target = route->GetGateway().IsAny() ? destination : route->GetGateway();
        if (!fi->eligible || !fi->iface->IsUp() || packet->GetSize() + 20 > fi->device->GetMtu() ||
            std::find(fi->locals.begin(), fi->locals.end(), target) != fi->locals.end())
        {
            fi = nullptr;
        }
    }
    if (fi && !fi->ndqiLooked)
    {
        fi->ndqi = fi->device->GetObject<NetDeviceQueueInterface>();
        fi->ndqiLooked = true;
    }
    if (!fi || (fi->ndqi && fi->ndqi->GetNTxQueues() > 1))
    {
        Ipv4L3Protocol::Send(packet, source, destination, protocol, route);
        return;
    }

    // The header Ipv4L3Protocol::BuildHeader makes.
    Ipv4Header ip;
    ip.SetSource(source);
    ip.SetDestination(destination);
    ip.SetProtocol(protocol);
    ip.SetPayloadSize(static_cast<uint16_t>(packet->GetSize()));
    SocketIpTtlTag ttlTag;
    if (packet->RemovePacketTag(ttlTag))
    {
        ip.SetTtl(ttlTag.GetTtl());
    }
    else
    {
        ip.SetTtl(m_defaultTtl);
    }
    SocketIpTosTag tosTag;
    ip.SetTos(packet->RemovePacketTag(tosTag) ? tosTag.GetTos() : 0);
    ip.SetMayFragment();
    uint64_t srcDst = destination.Get() | (uint64_t(source.Get()) << 32);
    ip.SetIdentification(m_identification[{srcDst, protocol}]++);
    if (m_checksum)
    {
        ip.EnableChecksum();
    }

    ++m_fastSent;
    if (!m_fastTxTrace.IsEmpty())
    {
        Ptr<Packet> copy = packet->Copy();
        copy->AddHeader(ip);
        m_fastTxTrace(copy, this, fi->index);
    }
    // The rest of the way as Ipv4Interface::Send and TrafficControlLayer::Send take it.
    if (m_tc->GetRootQueueDiscOnDevice(fi->device))
    {
        m_tc->Send(
            fi->device,
            Create<Ipv4QueueDiscItem>(packet, fi->broadcast, Ipv4L3Protocol::PROT_NUMBER, ip));
        return;
    }
    packet->AddHeader(ip);
    if (fi->ndqi && fi->ndqi->GetTxQueue(0)->IsStopped())
    {
        return; // dropped, as the traffic control layer drops it
    }
    SocketPriorityTag priorityTag;
    packet->RemovePacketTag(priorityTag);
    fi->device->Send(packet, fi->broadcast, Ipv4L3Protocol::PROT_NUMBER);
}

} // namespace ns3
