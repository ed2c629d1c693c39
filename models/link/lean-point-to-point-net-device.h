/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LEAN_POINT_TO_POINT_NET_DEVICE_H
#define LEAN_POINT_TO_POINT_NET_DEVICE_H

#include "ns3/data-rate.h"
#include "ns3/error-model.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/node.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace ns3
{

class LeanPointToPointChannel;

/**
 * \ingroup portlab-link
 * \brief A point-to-point device that behaves exactly as ns-3's PointToPointNetDevice and
 * costs less per packet.
 *
 * Same frames (a 2-byte PPP header, so pcap traces are DLT_PPP as ns-3's), same timing
 * (transmission time from DataRate exactly as ns3::DataRate computes it, then the channel's
 * Delay), same events in the same order (transmit-complete scheduled before the peer's
 * receive), same trace sources under the same names, the same ReceiveErrorModel attribute.
 * What it leaves out is what a churn simulation paid for and never used: a Queue object whose
 * enqueue and dequeue fire traced callbacks per packet (a plain FIFO of TxQueueLimit packets
 * here; a full one drops and fires MacTxDrop, as ns-3's device does when its queue refuses),
 * the transmission time recomputed with 128-bit division per packet (it is cached per frame
 * size), the remote address looked up through the channel per received frame, and the MTU and
 * protocol switch statements per packet. It carries IPv4 and IPv6, as PointToPointNetDevice.
 */
class LeanPointToPointNetDevice : public NetDevice
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LeanPointToPointNetDevice();
    ~LeanPointToPointNetDevice() override;

    LeanPointToPointNetDevice(const LeanPointToPointNetDevice&) = delete;
    LeanPointToPointNetDevice& operator=(const LeanPointToPointNetDevice&) = delete;

    /// \param bps the transmission rate (the DataRate attribute)
    void SetDataRate(DataRate bps);
    /// \return the transmission rate
    DataRate GetDataRate() const;

    /// \param em the error model applied to received frames
    void SetReceiveErrorModel(Ptr<ErrorModel> em);

    /**
     * \brief Attach to a channel (at most two devices per channel).
     * \param ch the channel
     * \return true
     */
    bool Attach(Ptr<LeanPointToPointChannel> ch);

    /**
     * \brief A frame arrives from the channel (scheduled by the channel).
     * \param packet the frame, PPP header first
     */
    void Receive(Ptr<Packet> packet);

    /**
     * \brief Why frames that are not packets (a flow-level transport's segments) could not
     * cross this device with the times and fate a packet would have: a receive error model
     * (loss), a connected frame trace (pcap, ascii, MacTx...), or no link.
     * \return the reason, or "" if flow frames are exact here
     */
    std::string FlowRefusal() const;

    /**
     * \brief Send a frame that is not a packet: it takes the wire as a packet frame of
     * \p ipBytes + 2 (PPP) bytes would, after every frame sent before it (the FIFO's
     * busy-until time kept here), and nothing is scheduled. A flow frame and a packet
     * frame never share the wire: either finding the other in flight is refused.
     * \param ipBytes the datagram's size (IPv4 header included)
     * \param refusal set to why the frame cannot be exact (the queue would hold TxQueueLimit
     * frames, so a packet would be dropped; packet frames in flight), else left alone
     * \return the time from now until the frame has arrived whole at the other end
     * (transmission start, transmission time, the channel's Delay); negative if refused
     */
    Time SendFlowFrame(uint32_t ipBytes, std::string& refusal);

    /**
     * \brief Record why the flow transport cannot go on and stop the simulator. An exception
     * thrown through Simulator::Run() would leak the event being run (ns-3's ProcessOneEvent
     * does not release it), so a refusal found while events run is kept here until the
     * program that called Run() asks (TakeFlowRefusal()) and throws it. The first one counts.
     * \param message the whole one-line message ("flow transport refused: ...")
     */
    static void LatchFlowRefusal(const std::string& message);
    /**
     * \brief The refusal LatchFlowRefusal() kept, now forgotten.
     * \return its message, or "" if the flow transport refused nothing
     */
    static std::string TakeFlowRefusal();

    /// \return frames waiting in the transmit queue (the one on the wire not included)
    uint32_t GetQueuedPackets() const
    {
        return static_cast<uint32_t>(m_queue.size());
    }

    // NetDevice
    /// NetDevice: sets the interface index the node gave it.
    /// \param index the interface index
    void SetIfIndex(const uint32_t index) override;
    /// NetDevice: the interface index.
    /// \return the interface index
    uint32_t GetIfIndex() const override;
    /// NetDevice: the LeanPointToPointChannel attached, or nullptr.
    /// \return the channel, or nullptr
    Ptr<Channel> GetChannel() const override;
    /// NetDevice: sets the MAC address (a Mac48Address).
    /// \param address a Mac48Address
    void SetAddress(Address address) override;
    /// NetDevice: the MAC address.
    /// \return the Mac48Address
    Address GetAddress() const override;
    /// NetDevice: sets the MTU (always succeeds).
    /// \param mtu bytes \return true
    bool SetMtu(const uint16_t mtu) override;
    /// NetDevice: the MTU.
    /// \return the MTU in bytes
    uint16_t GetMtu() const override;
    /// NetDevice: whether a channel is attached.
    /// \return true once attached
    bool IsLinkUp() const override;
    /// NetDevice: adds a callback for link up (on Attach).
    /// \param callback called when the link comes up
    void AddLinkChangeCallback(Callback<void> callback) override;
    /// NetDevice: true, as ns-3's PointToPointNetDevice.
    /// \return true
    bool IsBroadcast() const override;
    /// NetDevice: ff:ff:ff:ff:ff:ff.
    /// \return the broadcast Mac48Address
    Address GetBroadcast() const override;
    /// NetDevice: true, as ns-3's PointToPointNetDevice.
    /// \return true
    bool IsMulticast() const override;
    /// NetDevice: 01:00:5e:00:00:00 for any IPv4 group.
    /// \param multicastGroup any group \return 01:00:5e:00:00:00
    Address GetMulticast(Ipv4Address multicastGroup) const override;
    /// NetDevice: 33:33:00:00:00:00 for any IPv6 group.
    /// \param addr any group \return 33:33:00:00:00:00
    Address GetMulticast(Ipv6Address addr) const override;
    /// NetDevice: true.
    /// \return true
    bool IsPointToPoint() const override;
    /// NetDevice: false.
    /// \return false
    bool IsBridge() const override;
    /// NetDevice: adds a PPP header and transmits, or queues while the wire is busy; false (and
    /// MacTxDrop) when the link is down or the queue is full, as ns-3's PointToPointNetDevice.
    /// \param packet the datagram \param dest ignored (the other end gets everything)
    /// \param protocolNumber 0x0800 (IPv4) or 0x86DD (IPv6); any other is a fatal error
    /// \return whether the frame was sent or queued
    bool Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber) override;
    /// NetDevice: false (SupportsSendFrom() is false, as on ns-3's PointToPointNetDevice).
    /// \param packet unused \param source unused \param dest unused
    /// \param protocolNumber unused \return false
    bool SendFrom(Ptr<Packet> packet,
                  const Address& source,
                  const Address& dest,
                  uint16_t protocolNumber) override;
    /// NetDevice: the node it is installed on.
    /// \return the node
    Ptr<Node> GetNode() const override;
    /// NetDevice: sets the node it is installed on.
    /// \param node the node
    void SetNode(Ptr<Node> node) override;
    /// NetDevice: false.
    /// \return false
    bool NeedsArp() const override;
    /// NetDevice: sets the callback each received frame goes to.
    /// \param cb the receive callback
    void SetReceiveCallback(NetDevice::ReceiveCallback cb) override;
    /// NetDevice: sets the promiscuous receive callback.
    /// \param cb the promiscuous receive callback
    void SetPromiscReceiveCallback(PromiscReceiveCallback cb) override;
    /// NetDevice: false.
    /// \return false
    bool SupportsSendFrom() const override;

  protected:
    /// ns3::Object::DoDispose(): drops the node, channel, error model, queue and callbacks.
    void DoDispose() override;

  private:
    /// Start putting \p p on the wire (the device is idle).
    void TransmitStart(Ptr<Packet> p);
    /// The frame on the wire has left; start the next one, if any.
    void TransmitComplete();
    /// \param bytes frame size \return its transmission time at the DataRate
    Time TxTime(uint32_t bytes);

    Ptr<Node> m_node;                       //!< the node
    Ptr<LeanPointToPointChannel> m_channel; //!< the channel
    Mac48Address m_address;                 //!< this device's address
    Address m_remote;                       //!< the peer's address, once attached
    uint32_t m_ifIndex{0};                  //!< index on the node
    uint16_t m_mtu{1500};                   //!< MTU (the Mtu attribute)
    DataRate m_bps;                         //!< rate (the DataRate attribute)
    Time m_interframeGap;                   //!< gap after each frame
    uint32_t m_queueLimit{100};             //!< the TxQueueLimit attribute
    Ptr<ErrorModel> m_receiveErrorModel;    //!< loss on receive
    bool m_busy{false};                     //!< a frame is on the wire
    bool m_linkUp{false};                   //!< attached to a channel
    Ptr<Packet> m_currentPkt;               //!< the frame on the wire
    std::deque<Ptr<Packet>> m_queue;        //!< frames waiting
    Time m_flowBusyUntil;                   //!< when the last flow frame leaves the wire
    std::deque<Time> m_flowStarts;          //!< start times of flow frames not yet started
    std::vector<Time> m_txTimes;            //!< transmission time by frame size (negative: not yet)
    NetDevice::ReceiveCallback m_rxCallback;             //!< to the node
    NetDevice::PromiscReceiveCallback m_promiscCallback; //!< promiscuous receive, if any
    TracedCallback<> m_linkChangeCallbacks;              //!< link up/down

    TracedCallback<Ptr<const Packet>> m_macTxTrace;          //!< MacTx
    TracedCallback<Ptr<const Packet>> m_macTxDropTrace;      //!< MacTxDrop
    TracedCallback<Ptr<const Packet>> m_macPromiscRxTrace;   //!< MacPromiscRx
    TracedCallback<Ptr<const Packet>> m_macRxTrace;          //!< MacRx
    TracedCallback<Ptr<const Packet>> m_phyTxBeginTrace;     //!< PhyTxBegin
    TracedCallback<Ptr<const Packet>> m_phyTxEndTrace;       //!< PhyTxEnd
    TracedCallback<Ptr<const Packet>> m_phyTxDropTrace;      //!< PhyTxDrop
    TracedCallback<Ptr<const Packet>> m_phyRxEndTrace;       //!< PhyRxEnd
    TracedCallback<Ptr<const Packet>> m_phyRxDropTrace;      //!< PhyRxDrop
    TracedCallback<Ptr<const Packet>> m_snifferTrace;        //!< Sniffer
    TracedCallback<Ptr<const Packet>> m_promiscSnifferTrace; //!< PromiscSniffer
};

} // namespace ns3

#endif // LEAN_POINT_TO_POINT_NET_DEVICE_H
