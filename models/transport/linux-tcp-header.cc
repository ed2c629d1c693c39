/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "transport/linux-tcp-header.h"

#include "ns3/buffer.h"

#include <cstring>

namespace ns3
{

namespace
{
constexpr uint8_t KIND_END = 0;   //!< end of options (also the padding)
constexpr uint8_t KIND_NOP = 1;   //!< no operation
constexpr uint8_t KIND_TS = 8;    //!< timestamps
constexpr uint8_t TS_LENGTH = 10; //!< kind, length, TSval, TSecr
} // namespace

TypeId
LinuxTcpHeader::GetTypeId()
{
    return TcpHeader::GetTypeId();
}

TypeId
LinuxTcpHeader::GetInstanceTypeId() const
{
    return TcpHeader::GetTypeId();
}

LinuxTcpHeader::LinuxTcpHeader(const TcpHeader& h)
{
    Buffer b;
    b.AddAtStart(h.GetSerializedSize());
    h.Serialize(b.Begin());
    Deserialize(b.Begin());
}

TcpHeader
LinuxTcpHeader::ToTcpHeader() const
{
    Buffer b;
    LinuxTcpHeader plain = *this;
    plain.m_calcChecksum = false;
    b.AddAtStart(plain.GetSerializedSize());
    plain.Serialize(b.Begin());
    TcpHeader h;
    h.Deserialize(b.Begin());
    return h;
}

void
LinuxTcpHeader::SetTimestamp(uint32_t tsVal, uint32_t tsEcr)
{
    m_hasTs = true;
    m_tsVal = tsVal;
    m_tsEcr = tsEcr;
    m_rawLength = 0;
}

void
LinuxTcpHeader::InitializeChecksum(Ipv4Address source, Ipv4Address destination, uint8_t protocol)
{
    m_source = source;
    m_destination = destination;
    m_protocol = protocol;
}

uint32_t
LinuxTcpHeader::OptionsLength() const
{
    if (m_rawLength > 0)
    {
        return m_rawLength;
    }
    return m_hasTs ? 12 : 0; // TcpHeader pads the 10-byte option to 12 with END bytes
}

uint32_t
LinuxTcpHeader::GetSerializedSize() const
{
    return 20 + OptionsLength();
}

uint16_t
LinuxTcpHeader::PseudoHeaderChecksum(uint32_t size) const
{
    // TcpHeader::CalculateHeaderChecksum for IPv4.
    Buffer buf(12);
    buf.AddAtStart(12);
    Buffer::Iterator it = buf.Begin();
    it.WriteHtonU32(m_source.Get());
    it.WriteHtonU32(m_destination.Get());
    it.WriteU8(0);
    it.WriteU8(m_protocol);
    it.WriteU8(static_cast<uint8_t>(size >> 8));
    it.WriteU8(static_cast<uint8_t>(size & 0xff));
    it = buf.Begin();
    return static_cast<uint16_t>(~(it.CalculateIpChecksum(12)));
}

void
LinuxTcpHeader::Serialize(Buffer::Iterator start) const
{
    Buffer::Iterator i = start;
    const uint32_t optionsLength = OptionsLength();
    i.WriteHtonU16(m_sourcePort);
    i.WriteHtonU16(m_destinationPort);
    i.WriteHtonU32(m_sequenceNumber.GetValue());
    i.WriteHtonU32(m_ackNumber.GetValue());
    i.WriteHtonU16(static_cast<uint16_t>(((20 + optionsLength) >> 2) << 12 | m_flags));
    i.WriteHtonU16(m_windowSize);
    i.WriteHtonU16(0);
    i.WriteHtonU16(m_urgentPointer);
    if (m_rawLength > 0)
    {
        i.Write(m_raw.data(), m_rawLength);
    }
    else if (m_hasTs)
    {
        i.WriteU8(KIND_TS);
        i.WriteU8(TS_LENGTH);
        i.WriteHtonU32(m_tsVal);
        i.WriteHtonU32(m_tsEcr);
        i.WriteU8(KIND_END);
        i.WriteU8(KIND_END);
    }
    if (m_calcChecksum)
    {
        uint16_t headerChecksum = PseudoHeaderChecksum(start.GetSize());
        i = start;
        uint16_t checksum = i.CalculateIpChecksum(start.GetSize(), headerChecksum);
        i = start;
        i.Next(16);
        i.WriteU16(checksum);
    }
}

uint32_t
LinuxTcpHeader::Deserialize(Buffer::Iterator start)
{
    Buffer::Iterator i = start;
    m_sourcePort = i.ReadNtohU16();
    m_destinationPort = i.ReadNtohU16();
    m_sequenceNumber = SequenceNumber32(i.ReadNtohU32());
    m_ackNumber = SequenceNumber32(i.ReadNtohU32());
    const uint16_t field = i.ReadNtohU16();
    m_flags = static_cast<uint8_t>(field & 0xff);
    const uint32_t words = field >> 12;
    m_windowSize = i.ReadNtohU16();
    i.Next(2);
    m_urgentPointer = i.ReadNtohU16();
    m_hasTs = false;
    m_rawLength = 0;
    uint32_t optionsLength = 0;
    if (words > 5 && (words - 5) * 4 <= MAX_OPTIONS)
    {
        optionsLength = (words - 5) * 4;
        uint8_t opt[MAX_OPTIONS];
        i.Read(opt, optionsLength);
        bool others = false;
        for (uint32_t pos = 0; pos < optionsLength;)
        {
            const uint8_t kind = opt[pos];
            if (kind == KIND_END)
            {
                break;
            }
            if (kind == KIND_NOP)
            {
                ++pos;
                continue;
            }
            if (pos + 1 >= optionsLength || opt[pos + 1] < 2 || pos + opt[pos + 1] > optionsLength)
            {
                others = true; // malformed: kept as it came
                break;
            }
            const uint8_t length = opt[pos + 1];
            if (kind == KIND_TS && length == TS_LENGTH)
            {
                m_hasTs = true;
                m_tsVal = (uint32_t{opt[pos + 2]} << 24) | (uint32_t{opt[pos + 3]} << 16) |
                          (uint32_t{opt[pos + 4]} << 8) | opt[pos + 5];
                m_tsEcr = (uint32_t{opt[pos + 6]} << 24) | (uint32_t{opt[pos + 7]} << 16) |
                          (uint32_t{opt[pos + 8]} << 8) | opt[pos + 9];
            }
            else
            {
                others = true;
            }
            pos += length;
        }
        const bool canonical = m_hasTs && !others && optionsLength == 12 && opt[0] == KIND_TS &&
                               opt[10] == KIND_END && opt[11] == KIND_END;
        if (!canonical)
        {
            // Kept as they came, so the header is written back byte for byte.
            std::memcpy(m_raw.data(), opt, optionsLength);
            m_rawLength = static_cast<uint8_t>(optionsLength);
        }
    }
    if (m_calcChecksum)
    {
        uint16_t headerChecksum = PseudoHeaderChecksum(start.GetSize());
        i = start;
        uint16_t checksum = i.CalculateIpChecksum(start.GetSize(), headerChecksum);
        m_goodChecksum = (checksum == 0);
    }
    return 20 + optionsLength;
}

void
LinuxTcpHeader::Print(std::ostream& os) const
{
    ToTcpHeader().Print(os);
}

std::ostream&
operator<<(std::ostream& os, const LinuxTcpHeader& h)
{
    h.Print(os);
    return os;
}

} // namespace ns3
