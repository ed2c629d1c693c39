/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_IPV4_L3_PROTOCOL_H
#define LINUX_IPV4_L3_PROTOCOL_H

#include "ipv4/ipv4-netfilter.h"

#include "ns3/ipv4-l3-protocol.h"
#include "ns3/traced-callback.h"

#include <array>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ns3
{

class NetDeviceQueueInterface;
class TrafficControlLayer;

/**
 * \ingroup portlab-ipv4
 * \brief ns-3's Ipv4L3Protocol with a short path for the packets a host sends and receives
 * itself, which is where a connection-churn simulation spends its time.
 *
 * Everything Ipv4 offers (interfaces, addresses, routing, ICMP, forwarding, fragmentation,
 * multicast, raw sockets) is Ipv4L3Protocol's own. Two cases take a shorter road:
 *
 * - **Receive.** A unicast, unfragmented datagram with a good header checksum, addressed to
 *   one of the addresses of the interface it arrived on, for a registered transport protocol,
 *   is handed to that protocol directly: no routing lookup (ns-3 asks its routing protocol
 *   and builds four callbacks per packet only to learn "local"), one packet copy instead of
 *   three. When the transport answers RX_ENDPOINT_UNREACH the ICMP port unreachable goes out
 *   exactly as Ipv4L3Protocol::LocalDeliver sends it. Anything else (broadcast, multicast,
 *   fragments, bad checksums, packets for another interface's address, interfaces that are
 *   down, any raw socket open) takes Ipv4L3Protocol::Receive as before.
 * - **Send.** A unicast datagram with a route, leaving through a device that needs no ARP and
 *   has one transmit queue, not addressed to this host and small enough not to fragment, gets
 *   the header Ipv4L3Protocol would build (same TTL and TOS tags, same per
 *   (source, destination, protocol) identification counter) and goes to the device, or to its
 *   root queue disc if it has one, as ns-3's TrafficControlLayer would send it. Everything else
 *   takes Ipv4L3Protocol::Send. The DefaultTtl attribute is read when an interface is added
 *   and when the simulation starts, and Node's ChecksumEnabled at those times too.
 *
 * The packets on the wire, their timing and every transport-visible outcome are the same
 * either way (the transport and golden tests run with both, and the pcap traces are
 * byte-identical). What differs is tracing: packets on the short path fire this class's
 * FastTx and FastRx trace sources instead of Ipv4L3Protocol's Tx, Rx, SendOutgoing and
 * LocalDeliver. Set the FastPath attribute to false to have every packet take ns-3's path
 * and fire ns-3's traces.
 */
class LinuxIpv4L3Protocol : public Ipv4L3Protocol
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LinuxIpv4L3Protocol();
    ~LinuxIpv4L3Protocol() override;

    LinuxIpv4L3Protocol(const LinuxIpv4L3Protocol&) = delete;
    LinuxIpv4L3Protocol& operator=(const LinuxIpv4L3Protocol&) = delete;

    /// \param enabled whether packets may take the short path (the FastPath attribute)
    void SetFastPath(bool enabled);
    /// \return whether packets may take the short path
    bool GetFastPath() const;

    /**
     * \brief Install a packet filter (netfilter hooks): it sees every unfragmented TCP and UDP
     * datagram arriving on a device this class took over, before routing, and every one the
     * node's own sockets send (Ipv4Netfilter). A gateway node installs its NAT this way.
     * \param netfilter the filter, or nullptr for none (the default)
     */
    void SetNetfilter(Ptr<Ipv4Netfilter> netfilter);

    /// \return the installed packet filter, or nullptr
    Ptr<Ipv4Netfilter> GetNetfilter() const
    {
        return m_netfilter;
    }

    /// \return how many received datagrams took the short path
    uint64_t GetFastReceived() const
    {
        return m_fastReceived;
    }

    /// \return how many sent datagrams took the short path
    uint64_t GetFastSent() const
    {
        return m_fastSent;
    }

    // Ipv4L3Protocol, with the short path
    /// Ipv4L3Protocol::Send(): a unicast datagram to another host over an eligible device
    /// takes the short path (the same header, then traffic control or the device); anything
    /// else goes through Ipv4L3Protocol.
    /// \param packet the transport segment or datagram \param source source address
    /// \param destination destination address \param protocol IP protocol number
    /// \param route the route (from routing, or a socket's)
    void Send(Ptr<Packet> packet,
              Ipv4Address source,
              Ipv4Address destination,
              uint8_t protocol,
              Ptr<Ipv4Route> route) override;
    /// Ipv4L3Protocol::AddInterface(), then takes the device's IPv4 frames over for the short
    /// path when it can (no ARP, not loopback, no IPv6 on the node).
    /// \param device the device \return the new interface's index
    uint32_t AddInterface(Ptr<NetDevice> device) override;
    /// Ipv4L3Protocol::CreateRawSocket(), counted: an open raw socket needs the full path.
    /// \return the new raw socket
    Ptr<Socket> CreateRawSocket() override;
    /// Ipv4L3Protocol::DeleteRawSocket(), counted.
    /// \param socket a raw socket CreateRawSocket() made
    void DeleteRawSocket(Ptr<Socket> socket) override;
    /// Ipv4L3Protocol::Insert(); the short path looks the transports up again.
    /// \param protocol the transport
    void Insert(Ptr<IpL4Protocol> protocol) override;
    /// Ipv4L3Protocol::Insert() for one interface; the short path looks the transports up again.
    /// \param protocol the transport \param interfaceIndex the interface
    void Insert(Ptr<IpL4Protocol> protocol, uint32_t interfaceIndex) override;
    /// Ipv4L3Protocol::Remove(); the short path looks the transports up again.
    /// \param protocol the transport
    void Remove(Ptr<IpL4Protocol> protocol) override;
    /// Ipv4L3Protocol::Remove() for one interface; the short path looks the transports up again.
    /// \param protocol the transport \param interfaceIndex the interface
    void Remove(Ptr<IpL4Protocol> protocol, uint32_t interfaceIndex) override;
    /// Ipv4L3Protocol::AddAddress(), then refreshes the interface's local addresses.
    /// \param i the interface \param address the address \return whether it was added
    bool AddAddress(uint32_t i, Ipv4InterfaceAddress address) override;
    /// Ipv4L3Protocol::RemoveAddress(), then refreshes the interface's local addresses.
    /// \param interfaceIndex the interface \param addressIndex the address's index
    /// \return whether it was removed
    bool RemoveAddress(uint32_t interfaceIndex, uint32_t addressIndex) override;
    /// Ipv4L3Protocol::RemoveAddress(), then refreshes the interface's local addresses.
    /// \param interface the interface \param address the address \return whether it was removed
    bool RemoveAddress(uint32_t interface, Ipv4Address address) override;
    /// Ipv4L3Protocol::GetInterfaceForAddress() (the lowest interface holding the address)
    /// from an index of the addresses instead of a walk over every interface: a server with a
    /// link per client asks it for each connection it accepts.
    /// \param address an address \return the interface, or -1
    int32_t GetInterfaceForAddress(Ipv4Address address) const override;

  protected:
    /// ns3::Object::DoDispose(): clears the short path's caches and the transports.
    void DoDispose() override;
    /// ns3::Object::DoInitialize(): reads the checksum setting and the default TTL.
    void DoInitialize() override;

  private:
    /// What the short path needs to know about one IPv4 interface.
    struct FastInterface
    {
        Ptr<Ipv4Interface> iface;          //!< the interface
        Ptr<NetDevice> device;             //!< its device
        Address broadcast;                 //!< the device's broadcast address, computed once
        uint32_t index{0};                 //!< IPv4 interface index
        bool eligible{false};              //!< no ARP, not loopback, handlers replaced
        std::vector<Ipv4Address> locals;   //!< the interface's own addresses
        Ptr<NetDeviceQueueInterface> ndqi; //!< the device's queue interface (may be null)
        bool ndqiLooked{false};            //!< ndqi has been looked up
    };

    /**
     * \brief The node's handler for IPv4 frames on every device; acts on those of the devices
     * this class took over.
     * \param device the device
     * \param p the frame's payload (IPv4 header first)
     * \param protocol 0x0800
     * \param from link-layer source
     * \param to link-layer destination
     * \param packetType host, broadcast, multicast or other host
     */
    void ReceiveFromDevice(Ptr<NetDevice> device,
                           Ptr<const Packet> p,
                           uint16_t protocol,
                           const Address& from,
                           const Address& to,
                           NetDevice::PacketType packetType);

    /**
     * \brief The node's handler for ARP frames on every device: those of the devices this
     * class took over go on to the traffic control layer, as ns-3 registers them.
     * \param device the device
     * \param p the frame's payload
     * \param protocol EtherType
     * \param from link-layer source
     * \param to link-layer destination
     * \param packetType host, broadcast, multicast or other host
     */
    void PassToTrafficControl(Ptr<NetDevice> device,
                              Ptr<const Packet> p,
                              uint16_t protocol,
                              const Address& from,
                              const Address& to,
                              NetDevice::PacketType packetType);

    /**
     * \brief Hand an arriving TCP or UDP datagram to the packet filter.
     * \param fi the interface it arrived on \param p the datagram (IPv4 header first)
     * \return the datagram as the filter left it (p itself if the filter does not look at
     *         it), or nullptr if the filter dropped it
     */
    Ptr<const Packet> Filter(const FastInterface& fi, Ptr<const Packet> p);

    /// \param device a device \return its short-path entry, or nullptr
    FastInterface* FastFor(const Ptr<NetDevice>& device);
    /// \param protocolNumber an IP protocol number \return its transport, cached
    Ptr<IpL4Protocol> Transport(uint8_t protocolNumber, uint32_t interfaceIndex);
    /// Re-read an interface's addresses after a change. \param interfaceIndex IPv4 index
    void RefreshLocals(uint32_t interfaceIndex);
    /// Forget the cached transports after Insert or Remove.
    void ForgetTransports();
    /// Read Ipv4L3Protocol's DefaultTtl attribute into m_defaultTtl.
    void ReadDefaultTtl();
    /// Index the addresses of the interfaces added since the last call (the loopback's
    /// 127.0.0.1 is given to its interface directly, not through AddAddress()).
    void IndexNewInterfaces() const;
    /// Forget that \p interface holds \p address. \param address an address \param interface
    /// an interface index
    void UnindexAddress(Ipv4Address address, uint32_t interface);

    bool m_fastPath{true};                             //!< the FastPath attribute
    bool m_checksum{false};                            //!< Node::ChecksumEnabled(), read once
    uint8_t m_defaultTtl{64};                          //!< DefaultTtl, read at start
    bool m_keptTrafficControl{false};                  //!< a device kept ns-3's handlers
    bool m_handlersRegistered{false};                  //!< this class's node handlers are in
    uint32_t m_rawSockets{0};                          //!< open raw sockets
    bool m_perInterfaceTransports{false};              //!< Insert(protocol, interface) was used
    Ptr<TrafficControlLayer> m_tc;                     //!< the node's traffic control layer
    Ptr<Ipv4Netfilter> m_netfilter;                    //!< the packet filter, if any
    std::vector<FastInterface> m_fast;                 //!< by device ifindex
    std::array<Ptr<IpL4Protocol>, 256> m_transports{}; //!< by protocol number, cached
    std::array<bool, 256> m_transportLooked{};         //!< m_transports[p] is valid
    std::map<std::pair<uint64_t, uint8_t>, uint16_t> m_identification; //!< next IP ID
    /// address -> the interfaces holding it, ascending (GetInterfaceForAddress())
    mutable std::unordered_map<uint32_t, std::vector<uint32_t>> m_addressInterfaces;
    mutable uint32_t m_indexedInterfaces{0}; //!< interfaces whose addresses are indexed
    uint64_t m_fastReceived{0};              //!< short-path receives
    uint64_t m_fastSent{0};                  //!< short-path sends
    TracedCallback<Ptr<const Packet>, Ptr<Ipv4>, uint32_t> m_fastTxTrace; //!< FastTx
    TracedCallback<Ptr<const Packet>, Ptr<Ipv4>, uint32_t> m_fastRxTrace; //!< FastRx
};

} // namespace ns3

#endif // LINUX_IPV4_L3_PROTOCOL_H
