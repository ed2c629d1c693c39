/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Question: can TCP and UDP bind the same port?
 *
 * On one host a TCP socket and a UDP socket both bind *:PORT, then a second socket of each
 * protocol tries the same port. A client on another host connects to the TCP server and sends
 * datagrams to the UDP server, to show both serve at once. This is the plain ns-3 socket API
 * on portlab's stack: Socket::CreateSocket with the TCP and UDP socket factories.
 *
 * Linux's answer: yes. TCP and UDP have separate port tables, so both binds succeed; a second
 * socket of the same protocol gets EADDRINUSE.
 *
 *   tcp-udp-same-port --port=5000
 */

#include "link/point-to-point-link.h"
#include "transport/linux-errno-name.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <iostream>

using namespace ns3;

namespace
{

/// \return "ok" or the Linux errno name of a bind(*:port) on a new socket of \p factory
std::string
BindResult(Ptr<Node> node, TypeId factory, uint16_t port, Ptr<Socket>& socket)
{
    socket = Socket::CreateSocket(node, factory);
    int rc = socket->Bind(InetSocketAddress(Ipv4Address::GetAny(), port));
    return rc == 0 ? "ok" : SocketErrnoName(socket);
}

} // namespace

int
main(int argc, char** argv)
{
    uint32_t port = 5000;
    CommandLine cmd(__FILE__);
    cmd.Usage("Can a TCP socket and a UDP socket both bind one port?");
    cmd.AddValue("port", "the port both protocols bind", port);
    cmd.Parse(argc, argv);

    NodeContainer nodes; // 10.1.1.1 client, 10.1.1.2 server
    nodes.Create(2);
    LinuxStackHelper stack;
    stack.Install(nodes);
    stack.AssignStreams(nodes, 1);
    LinkPointToPoint(nodes, "1Gbps", "1ms");
    Ptr<Node> server = nodes.Get(1);
    const TypeId tcp = TcpSocketFactory::GetTypeId();
    const TypeId udp = UdpSocketFactory::GetTypeId();

    Ptr<Socket> tcpServer, udpServer, tcpSecond, udpSecond;
    uint64_t tcpBytes = 0, udpDatagrams = 0;
    std::string tcpBind, udpBind, tcpSecondBind, udpSecondBind;
    Simulator::Schedule(Seconds(0), [&]() {
        tcpBind = BindResult(server, tcp, port, tcpServer);
        udpBind = BindResult(server, udp, port, udpServer);
        tcpSecondBind = BindResult(server, tcp, port, tcpSecond);
        udpSecondBind = BindResult(server, udp, port, udpSecond);
        tcpServer->Listen();
        tcpServer->SetAcceptCallback(
            MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
            Callback<void, Ptr<Socket>, const Address&>([&](Ptr<Socket> s, const Address&) {
                s->SetRecvCallback(Callback<void, Ptr<Socket>>([&](Ptr<Socket> r) {
                    while (Ptr<Packet> p = r->Recv())
                    {
                        tcpBytes += p->GetSize();
                    }
                }));
            }));
        udpServer->SetRecvCallback(Callback<void, Ptr<Socket>>([&](Ptr<Socket> r) {
            while (r->Recv())
            {
                ++udpDatagrams;
            }
        }));
    });

    // The client: one TCP connection sending 1000 bytes, and 10 datagrams.
    Ptr<Socket> tcpClient, udpClient;
    Simulator::Schedule(Seconds(0.1), [&]() {
        const InetSocketAddress to("10.1.1.2", port);
        tcpClient = Socket::CreateSocket(nodes.Get(0), tcp);
        tcpClient->SetConnectCallback(
            Callback<void, Ptr<Socket>>([](Ptr<Socket> s) { s->Send(Create<Packet>(1000)); }),
            MakeNullCallback<void, Ptr<Socket>>());
        tcpClient->Connect(to);
        udpClient = Socket::CreateSocket(nodes.Get(0), udp);
        udpClient->Connect(to);
        for (int i = 0; i < 10; ++i)
        {
            udpClient->Send(Create<Packet>(100));
        }
    });

    Simulator::Stop(Seconds(1));
    Simulator::Run();
    std::cout << "tcp-udp-same-port: bind(*:" << port << ") TCP " << tcpBind << ", UDP "
              << udpBind << "; a second TCP " << tcpSecondBind << ", a second UDP "
              << udpSecondBind << "\n";
    std::cout << "both serving: the TCP server received " << tcpBytes
              << " bytes and the UDP server " << udpDatagrams << " datagrams on port " << port
              << "\n";
    Simulator::Destroy();
    return 0;
}
