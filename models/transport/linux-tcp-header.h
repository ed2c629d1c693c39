/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_TCP_HEADER_H
#define LINUX_TCP_HEADER_H

#include "ns3/header.h"
#include "ns3/ipv4-address.h"
#include "ns3/sequence-number.h"
#include "ns3/tcp-header.h"

#include <array>

namespace ns3
{

/**
 * \ingroup portlab-transport
 * \brief The TCP header as LinuxTcpL4Protocol sends and reads it: the same bytes on the wire
 * as ns3::TcpHeader (the timestamps option then two END bytes of padding), with the
 * timestamps as plain fields.
 *
 * ns3::TcpHeader keeps its options as a list of TcpOption objects: reading a segment created
 * one object per option (CreateObject, with attribute construction) and every copy of a
 * header copied the list. This header allocates nothing. It reports ns3::TcpHeader's TypeId,
 * so packet metadata and printing treat it as a TcpHeader. Options other than timestamps
 * (from a peer that is not portlab) are kept as raw bytes and written back unchanged.
 */
class LinuxTcpHeader : public Header
{
  public:
    /// \return ns3::TcpHeader's TypeId (this header has the same wire format)
    static TypeId GetTypeId();

    LinuxTcpHeader() = default;

    /// \param h an ns3::TcpHeader, converted through its wire bytes (all options kept)
    explicit LinuxTcpHeader(const TcpHeader& h);

    /// \return the same header as an ns3::TcpHeader (for trace sinks and printing)
    TcpHeader ToTcpHeader() const;

    /// \return source port
    uint16_t GetSourcePort() const
    {
        return m_sourcePort;
    }

    /// \param port source port
    void SetSourcePort(uint16_t port)
    {
        m_sourcePort = port;
    }

    /// \return destination port
    uint16_t GetDestinationPort() const
    {
        return m_destinationPort;
    }

    /// \param port destination port
    void SetDestinationPort(uint16_t port)
    {
        m_destinationPort = port;
    }

    /// \return sequence number
    SequenceNumber32 GetSequenceNumber() const
    {
        return m_sequenceNumber;
    }

    /// \param s sequence number
    void SetSequenceNumber(SequenceNumber32 s)
    {
        m_sequenceNumber = s;
    }

    /// \return acknowledgment number
    SequenceNumber32 GetAckNumber() const
    {
        return m_ackNumber;
    }

    /// \param a acknowledgment number
    void SetAckNumber(SequenceNumber32 a)
    {
        m_ackNumber = a;
    }

    /// \return flags (TcpHeader::SYN, ...)
    uint8_t GetFlags() const
    {
        return m_flags;
    }

    /// \param flags flags (TcpHeader::SYN, ...)
    void SetFlags(uint8_t flags)
    {
        m_flags = flags;
    }

    /// \return window
    uint16_t GetWindowSize() const
    {
        return m_windowSize;
    }

    /// \param w window
    void SetWindowSize(uint16_t w)
    {
        m_windowSize = w;
    }

    /// \return whether the segment carries the timestamps option
    bool HasTimestamp() const
    {
        return m_hasTs;
    }

    /// \return TSval (valid with HasTimestamp())
    uint32_t GetTsVal() const
    {
        return m_tsVal;
    }

    /// \return TSecr (valid with HasTimestamp())
    uint32_t GetTsEcr() const
    {
        return m_tsEcr;
    }

    /**
     * \brief Add the timestamps option.
     * \param tsVal TSval
     * \param tsEcr TSecr
     */
    void SetTimestamp(uint32_t tsVal, uint32_t tsEcr);

    /// \brief Compute the checksum when serialising, check it when deserialising.
    void EnableChecksums()
    {
        m_calcChecksum = true;
    }

    /**
     * \brief The pseudo-header of the checksum.
     * \param source source address
     * \param destination destination address
     * \param protocol protocol number
     */
    void InitializeChecksum(Ipv4Address source, Ipv4Address destination, uint8_t protocol);

    /// \return whether the checksum was correct (true unless checksums are enabled)
    bool IsChecksumOk() const
    {
        return m_goodChecksum;
    }

    // Header
    /// Header: GetTypeId().
    /// \return GetTypeId()
    TypeId GetInstanceTypeId() const override;
    /// Header: printed as ns-3's TcpHeader prints it.
    /// \param os the stream
    void Print(std::ostream& os) const override;
    /// Header: 20 bytes plus the options (12 for a timestamp, padded as TcpHeader pads it).
    /// \return the size in bytes
    uint32_t GetSerializedSize() const override;
    /// Header: the wire format, with the checksum when enabled.
    /// \param start where to write
    void Serialize(Buffer::Iterator start) const override;
    /// Header: reads the wire format, options included, and checks the checksum when enabled.
    /// \param start where to read \return the bytes read
    uint32_t Deserialize(Buffer::Iterator start) override;

  private:
    static constexpr uint32_t MAX_OPTIONS = 40; //!< option space of a TCP header

    uint32_t OptionsLength() const;
    uint16_t PseudoHeaderChecksum(uint32_t size) const;

    uint16_t m_sourcePort{0};          //!< source port
    uint16_t m_destinationPort{0};     //!< destination port
    SequenceNumber32 m_sequenceNumber; //!< sequence number
    SequenceNumber32 m_ackNumber;      //!< acknowledgment number
    uint8_t m_flags{0};                //!< flags
    uint16_t m_windowSize{0xffff};     //!< window
    uint16_t m_urgentPointer{0};       //!< urgent pointer
    bool m_hasTs{false};               //!< timestamps option present
    uint32_t m_tsVal{0};               //!< TSval
    uint32_t m_tsEcr{0};               //!< TSecr
    uint8_t m_rawLength{0};            //!< bytes in m_raw (0: options are just m_hasTs)
    std::array<uint8_t, 40> m_raw{};   //!< options as read, when not only timestamps
    bool m_calcChecksum{false};        //!< checksums enabled
    bool m_goodChecksum{true};         //!< result of the last check
    Ipv4Address m_source;              //!< pseudo-header source
    Ipv4Address m_destination;         //!< pseudo-header destination
    uint8_t m_protocol{6};             //!< pseudo-header protocol
};

/**
 * \param os stream \param h header
 * \return the stream
 */
std::ostream& operator<<(std::ostream& os, const LinuxTcpHeader& h);

} // namespace ns3

#endif // LINUX_TCP_HEADER_H
