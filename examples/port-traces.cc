/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Question: which ports does a client use, and when are they free again? Answered as a trace
 * file, for plotting or for a spreadsheet.
 *
 * A client opens CONNECTIONS short connections to a server and closes each first. The
 * client's LinuxPortSpace trace sources go to a CSV file (ns-3's AsciiTraceHelper):
 * ConnectPortChosen (the ephemeral port connect() chose), TimeWaitEnter and TimeWaitExpire,
 * one row each: time_s,event,local,local_port,remote,remote_port. The TcpClientProcess's
 * Result trace adds each connect()'s outcome.
 *
 * Linux's answer, in the file: connect() tries the ports of the range's low end's parity
 * first (even, for the default 32768-60999), and each TIME_WAIT expires exactly 60 s after it
 * began.
 *
 *   port-traces --connections=20 --out=port-traces.csv
 */

#include "apps/process-helper.h"
#include "apps/tcp-client-process.h"
#include "link/point-to-point-link.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <iostream>
#include <map>

using namespace ns3;

int
main(int argc, char** argv)
{
    uint32_t connections = 20;
    std::string out = "port-traces.csv";
    CommandLine cmd(__FILE__);
    cmd.Usage("Trace a client's port choices and TIME_WAITs to a CSV file");
    cmd.AddValue("connections", "connections the client opens (10 per second)", connections);
    cmd.AddValue("out", "the CSV file to write", out);
    cmd.Parse(argc, argv);

    NodeContainer nodes; // 10.1.1.1 client, 10.1.1.2 server
    nodes.Create(2);
    LinuxStackHelper stack;
    stack.Install(nodes);
    stack.AssignStreams(nodes, 1);
    LinkPointToPoint(nodes, "1Gbps", "1ms");
    TcpServerProcessHelper server(InetSocketAddress(Ipv4Address::GetAny(), 80));
    server.Install(nodes.Get(1));
    TcpClientProcessHelper client(InetSocketAddress("10.1.1.2", 80));
    client.SetAttribute("Rate", DoubleValue(10));
    client.SetAttribute("MaxConnections", UintegerValue(connections));
    ApplicationContainer c = client.Install(nodes.Get(0));

    Ptr<OutputStreamWrapper> file = AsciiTraceHelper().CreateFileStream(out);
    *file->GetStream() << "time_s,event,local,local_port,remote,remote_port\n";
    std::map<std::string, uint64_t> rows;
    Ptr<LinuxPortSpace> ports = nodes.Get(0)->GetObject<LinuxPortSpace>();
    for (std::string event : {"ConnectPortChosen", "TimeWaitEnter", "TimeWaitExpire"})
    {
        ports->TraceConnectWithoutContext(
            event,
            Callback<void, Ipv4Address, uint16_t, Ipv4Address, uint16_t>(
                [=, &rows](Ipv4Address local, uint16_t lport, Ipv4Address remote, uint16_t rport) {
                    *file->GetStream() << Simulator::Now().GetSeconds() << "," << event << ","
                                       << local << "," << lport << "," << remote << "," << rport
                                       << "\n";
                    ++rows[event];
                }));
    }
    c.Get(0)->TraceConnectWithoutContext(
        "Result",
        Callback<void, std::string>([=, &rows](std::string result) {
            *file->GetStream() << Simulator::Now().GetSeconds() << ",connect-" << result
                               << ",,,,\n";
            ++rows["connect-" + result];
        }));

    Simulator::Stop(Seconds(70));
    Simulator::Run();
    std::cout << "port-traces: wrote " << out << ":";
    for (const auto& [event, count] : rows)
    {
        std::cout << " " << event << " " << count;
    }
    std::cout << "\n";
    Simulator::Destroy();
    return 0;
}
