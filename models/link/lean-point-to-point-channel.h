/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LEAN_POINT_TO_POINT_CHANNEL_H
#define LEAN_POINT_TO_POINT_CHANNEL_H

#include "ns3/channel.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <array>

namespace ns3
{

class LeanPointToPointNetDevice;

/**
 * \ingroup portlab-link
 * \brief The wire between two LeanPointToPointNetDevices: a frame whose transmission starts
 * at t arrives at the other device at t + transmission time + Delay, as on ns-3's
 * PointToPointChannel (the receive event is scheduled in the receiving node's context).
 */
class LeanPointToPointChannel : public Channel
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LeanPointToPointChannel();
    ~LeanPointToPointChannel() override;

    /**
     * \brief Attach a device (the first becomes end 0, the second end 1).
     * \param device the device
     */
    void Attach(Ptr<LeanPointToPointNetDevice> device);

    /**
     * \brief A device starts sending a frame.
     * \param p the frame
     * \param src the sending device
     * \param txTime its transmission time
     */
    void TransmitStart(Ptr<const Packet> p, LeanPointToPointNetDevice* src, Time txTime);

    /// \param device one end \return the other end, or nullptr
    Ptr<LeanPointToPointNetDevice> GetPeer(const LeanPointToPointNetDevice* device) const;

    /// \return the Delay attribute
    Time GetDelay() const
    {
        return m_delay;
    }

    // Channel
    /// Channel: the number of ends attached (0, 1 or 2).
    /// \return 0, 1 or 2
    std::size_t GetNDevices() const override;
    /// Channel: end i (0 or 1), or nullptr.
    /// \param i 0 or 1 \return that end, or nullptr
    Ptr<NetDevice> GetDevice(std::size_t i) const override;

    /**
     * TracedCallback signature for frames on the wire.
     * \param [in] packet the frame
     * \param [in] src the sending device
     * \param [in] dst the receiving device
     * \param [in] txTime the transmission time
     * \param [in] lastBitTime when the last bit arrives
     */
    typedef void (*TxRxAnimationCallback)(Ptr<const Packet> packet,
                                          Ptr<NetDevice> src,
                                          Ptr<NetDevice> dst,
                                          Time txTime,
                                          Time lastBitTime);

  protected:
    /// ns3::Object::DoDispose(): forgets both ends.
    void DoDispose() override;

  private:
    Time m_delay;                                         //!< propagation delay
    std::array<Ptr<LeanPointToPointNetDevice>, 2> m_ends; //!< the two devices
    std::size_t m_nDevices{0};                            //!< attached so far
    TracedCallback<Ptr<const Packet>, Ptr<NetDevice>, Ptr<NetDevice>, Time, Time>
        m_txrxTrace; //!< TxRxPointToPoint
};

} // namespace ns3

#endif // LEAN_POINT_TO_POINT_CHANNEL_H
