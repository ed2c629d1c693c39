/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * LinuxTcpHeader writes and reads the same bytes as ns3::TcpHeader.
 */

#include "transport/linux-tcp-header.h"

#include "ns3/buffer.h"
#include "ns3/packet.h"
#include "ns3/tcp-header.h"
#include "ns3/tcp-option-rfc793.h"
#include "ns3/tcp-option-ts.h"

#include <gtest/gtest.h>
#include <vector>

using namespace ns3;

namespace
{

template <class H>
std::vector<uint8_t>
Bytes(const H& h)
{
    Buffer b;
    b.AddAtStart(h.GetSerializedSize());
    h.Serialize(b.Begin());
    std::vector<uint8_t> out(b.GetSize());
    b.CopyData(out.data(), out.size());
    return out;
}

TcpHeader
Stock(bool ts, bool mss)
{
    TcpHeader h;
    h.SetSourcePort(40000);
    h.SetDestinationPort(80);
    h.SetSequenceNumber(SequenceNumber32(0x01020304));
    h.SetAckNumber(SequenceNumber32(0xa0b0c0d0));
    h.SetFlags(TcpHeader::SYN | TcpHeader::ACK);
    h.SetWindowSize(65535);
    if (mss)
    {
        Ptr<TcpOptionMSS> o = CreateObject<TcpOptionMSS>();
        o->SetMSS(1460);
        h.AppendOption(o);
    }
    if (ts)
    {
        Ptr<TcpOptionTS> o = CreateObject<TcpOptionTS>();
        o->SetTimestamp(123456789);
        o->SetEcho(987654321);
        h.AppendOption(o);
    }
    return h;
}

} // namespace

TEST(LinuxTcpHeader, WritesTheBytesOfTcpHeaderWithTimestamps)
{
    TcpHeader stock = Stock(true, false);
    LinuxTcpHeader h;
    h.SetSourcePort(40000);
    h.SetDestinationPort(80);
    h.SetSequenceNumber(SequenceNumber32(0x01020304));
    h.SetAckNumber(SequenceNumber32(0xa0b0c0d0));
    h.SetFlags(TcpHeader::SYN | TcpHeader::ACK);
    h.SetWindowSize(65535);
    h.SetTimestamp(123456789, 987654321);
    EXPECT_EQ(Bytes(h), Bytes(stock));
    EXPECT_EQ(h.GetSerializedSize(), 32u);
}

TEST(LinuxTcpHeader, ReadsTcpHeaderAndRoundTripsEveryOption)
{
    for (bool mss : {false, true})
    {
        for (bool ts : {false, true})
        {
            TcpHeader stock = Stock(ts, mss);
            Ptr<Packet> p = Create<Packet>(7);
            p->AddHeader(stock);
            LinuxTcpHeader h;
            p->RemoveHeader(h);
            EXPECT_EQ(p->GetSize(), 7u);
            EXPECT_EQ(h.GetSourcePort(), 40000);
            EXPECT_EQ(h.GetDestinationPort(), 80);
            EXPECT_EQ(h.GetSequenceNumber(), SequenceNumber32(0x01020304));
            EXPECT_EQ(h.GetAckNumber(), SequenceNumber32(0xa0b0c0d0));
            EXPECT_EQ(h.GetFlags(), TcpHeader::SYN | TcpHeader::ACK);
            EXPECT_EQ(h.HasTimestamp(), ts);
            if (ts)
            {
                EXPECT_EQ(h.GetTsVal(), 123456789u);
                EXPECT_EQ(h.GetTsEcr(), 987654321u);
            }
            EXPECT_EQ(Bytes(h), Bytes(stock)) << "mss " << mss << " ts " << ts;
            TcpHeader back = h.ToTcpHeader();
            EXPECT_EQ(Bytes(back), Bytes(stock));
            EXPECT_EQ(back.HasOption(TcpOption::MSS), mss);
            EXPECT_EQ(Bytes(LinuxTcpHeader(stock)), Bytes(stock));
        }
    }
}

TEST(LinuxTcpHeader, ChecksumsAgreeWithTcpHeader)
{
    const Ipv4Address src("10.1.1.1");
    const Ipv4Address dst("10.1.1.2");
    TcpHeader stock = Stock(true, false);
    stock.EnableChecksums();
    stock.InitializeChecksum(src, dst, 6);
    LinuxTcpHeader h(Stock(true, false));
    h.EnableChecksums();
    h.InitializeChecksum(src, dst, 6);
    Ptr<Packet> a = Create<Packet>(100);
    a->AddHeader(stock);
    Ptr<Packet> b = Create<Packet>(100);
    b->AddHeader(h);
    std::vector<uint8_t> ba(a->GetSize());
    std::vector<uint8_t> bb(b->GetSize());
    a->CopyData(ba.data(), ba.size());
    b->CopyData(bb.data(), bb.size());
    EXPECT_EQ(ba, bb);
    LinuxTcpHeader in;
    in.EnableChecksums();
    in.InitializeChecksum(src, dst, 6);
    b->RemoveHeader(in);
    EXPECT_TRUE(in.IsChecksumOk());
    LinuxTcpHeader wrong;
    wrong.EnableChecksums();
    wrong.InitializeChecksum(src, Ipv4Address("10.1.1.3"), 6);
    a->RemoveHeader(wrong);
    EXPECT_FALSE(wrong.IsChecksumOk());
}
