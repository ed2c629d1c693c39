// A user's ns-3 program against an installed portlab: stock BulkSend -> PacketSink over TCP,
// on portlab's Linux stack. Build: examples/out-of-tree/CMakeLists.txt (find_package(portlab)).
#include "link/point-to-point-link.h"     // LinkPointToPoint
#include "transport/linux-stack-helper.h" // portlab::transport

#include "ns3/applications-module.h"
#include "ns3/core-module.h"

#include <iostream>

using namespace ns3;

int
main(int argc, char** argv)
{
    uint64_t bytes = 100000;
    CommandLine cmd(__FILE__);
    cmd.AddValue("bytes", "bytes BulkSend sends", bytes);
    cmd.Parse(argc, argv);
    NodeContainer nodes(2);
    LinuxStackHelper().Install(nodes);                     // instead of InternetStackHelper
    LinkPointToPoint(nodes, "100Mbps", "5ms", "10.1.1.0"); // 10.1.1.1 -- 10.1.1.2
    PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 9));
    ApplicationContainer sinkApp = sink.Install(nodes.Get(1));
    BulkSendHelper source("ns3::TcpSocketFactory", InetSocketAddress("10.1.1.2", 9));
    source.SetAttribute("MaxBytes", UintegerValue(bytes));
    source.Install(nodes.Get(0));
    Simulator::Stop(Seconds(10));
    Simulator::Run();
    std::cout << "received " << DynamicCast<PacketSink>(sinkApp.Get(0))->GetTotalRx() << " bytes\n";
    Simulator::Destroy();
    return 0;
}
