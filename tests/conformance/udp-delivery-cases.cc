/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "udp-delivery-cases.h"

#include <map>
#include <nlohmann/json.hpp>

namespace portlab
{

std::vector<UdpDeliveryCase>
UdpDeliveryCases()
{
    auto s = [](const char* label, const char* address, const char* opts) {
        UdpDeliverySocket k;
        k.label = label;
        k.address = address;
        k.v6only = std::string(opts) == "v6only";
        k.reuseAddr = std::string(opts) == "ra";
        k.reusePort = std::string(opts) == "rp";
        return k;
    };
    return {
        {"[::]/rp bound first, 0.0.0.0/rp second",
         {s("[::]/rp", "::", "rp"), s("0.0.0.0/rp", "0.0.0.0", "rp")}},
        {"0.0.0.0/rp bound first, [::]/rp second",
         {s("0.0.0.0/rp", "0.0.0.0", "rp"), s("[::]/rp", "::", "rp")}},
        {"[::]/ra bound first, 0.0.0.0/ra second",
         {s("[::]/ra", "::", "ra"), s("0.0.0.0/ra", "0.0.0.0", "ra")}},
        {"0.0.0.0/ra bound first, [::]/ra second",
         {s("0.0.0.0/ra", "0.0.0.0", "ra"), s("[::]/ra", "::", "ra")}},
        {"[::] alone", {s("[::]", "::", "")}},
        {"[::]v6only/none + 0.0.0.0/none",
         {s("[::]v6only", "::", "v6only"), s("0.0.0.0", "0.0.0.0", "")}},
        {"[::]/ra + 127.0.0.1/ra",
         {s("[::]/ra", "::", "ra"), s("127.0.0.1/ra", "127.0.0.1", "ra")}},
        {"[::ffff:127.0.0.1]/ra + 0.0.0.0/ra",
         {s("[::ffff:127.0.0.1]/ra", "::ffff:127.0.0.1", "ra"), s("0.0.0.0/ra", "0.0.0.0", "ra")}},
        {"0.0.0.0/ra + [::ffff:127.0.0.1]/ra",
         {s("0.0.0.0/ra", "0.0.0.0", "ra"), s("[::ffff:127.0.0.1]/ra", "::ffff:127.0.0.1", "ra")}},
        {"[::]/ra + [::1]/ra", {s("[::]/ra", "::", "ra"), s("[::1]/ra", "::1", "ra")}},
        {"2x [::]/rp + 2x 0.0.0.0/rp interleaved",
         {s("[::]#1/rp", "::", "rp"),
          s("0.0.0.0#1/rp", "0.0.0.0", "rp"),
          s("[::]#2/rp", "::", "rp"),
          s("0.0.0.0#2/rp", "0.0.0.0", "rp")},
         80},
        {"2x [::]/ra then 0.0.0.0/ra",
         {s("[::]#1/ra", "::", "ra"),
          s("[::]#2/ra", "::", "ra"),
          s("0.0.0.0/ra", "0.0.0.0", "ra")}},
    };
}

Json
UdpDeliveryComparable(const Json& result)
{
    Json out = result;
    for (auto& [name, sub] : out.items())
    {
        if (name.find("interleaved") == std::string::npos || !sub.is_object() ||
            !sub.contains("received (by source address form)"))
        {
            continue;
        }
        Json& received = sub["received (by source address form)"];
        std::map<std::string, int> totals;
        for (auto& [label, counts] : received.items())
        {
            for (auto& [form, n] : counts.items())
            {
                totals[form] += n.get<int>();
                n = n.get<int>() > 0 ? Json("some") : Json("none");
            }
        }
        for (const auto& [form, n] : totals)
        {
            sub["total " + form] = n;
        }
    }
    return out;
}

} // namespace portlab
