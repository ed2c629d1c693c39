/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LEAN_POINT_TO_POINT_HELPER_H
#define LEAN_POINT_TO_POINT_HELPER_H

#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"
#include "ns3/trace-helper.h"

#include <string>

namespace ns3
{

/**
 * \ingroup portlab-link
 * \brief Builds LeanPointToPointNetDevice links, as PointToPointHelper builds ns-3's:
 *
 * \code
 *   LeanPointToPointHelper p2p;
 *   p2p.SetDeviceAttribute("DataRate", StringValue("10Gbps"));
 *   p2p.SetDeviceAttribute("TxQueueLimit", UintegerValue(10240));
 *   p2p.SetChannelAttribute("Delay", StringValue("1ms"));
 *   NetDeviceContainer devs = p2p.Install(a, b);
 *   p2p.EnablePcap("client-server.pcap", devs.Get(0), false, true); // DLT_PPP, as ns-3's
 * \endcode
 *
 * Each device gets an address from Mac48Address::Allocate(), in the order the nodes are
 * given, and no NetDeviceQueueInterface (no flow control; Ipv4AddressHelper then installs no
 * queue disc).
 */
class LeanPointToPointHelper : public PcapHelperForDevice
{
  public:
    LeanPointToPointHelper();
    ~LeanPointToPointHelper() override = default;

    /**
     * \param name an attribute of ns3::LeanPointToPointNetDevice
     * \param value its value, for every device installed from now on
     */
    void SetDeviceAttribute(const std::string& name, const AttributeValue& value);
    /**
     * \param name an attribute of ns3::LeanPointToPointChannel
     * \param value its value, for every channel installed from now on
     */
    void SetChannelAttribute(const std::string& name, const AttributeValue& value);

    /**
     * \param a one end \param b the other end
     * \return the two devices, a's first
     */
    NetDeviceContainer Install(Ptr<Node> a, Ptr<Node> b);
    /**
     * \param pair exactly two nodes
     * \return the two devices, in the order of \p pair
     */
    NetDeviceContainer Install(NodeContainer pair);

  private:
    void EnablePcapInternal(std::string prefix,
                            Ptr<NetDevice> nd,
                            bool promiscuous,
                            bool explicitFilename) override;

    ObjectFactory m_deviceFactory;  //!< makes the devices
    ObjectFactory m_channelFactory; //!< makes the channels
};

} // namespace ns3

#endif // LEAN_POINT_TO_POINT_HELPER_H
