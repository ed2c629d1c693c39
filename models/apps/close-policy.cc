/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/close-policy.h"

#include "ns3/boolean.h"
#include "ns3/enum.h"
#include "ns3/nstime.h"

#include <array>
#include <utility>

namespace ns3
{

namespace
{

/// Every policy with its name: the one table the name, the parse and the checker read.
const std::array<std::pair<ClosePolicy, const char*>, 3> CLOSE_POLICIES = {{
    {CLOSE_CLIENT_FIRST, "client-first"},
    {CLOSE_SERVER_FIRST, "server-first"},
    {CLOSE_LINGER_ZERO, "linger0"},
}};

} // namespace

std::string
ClosePolicyName(ClosePolicy policy)
{
    for (const auto& [p, name] : CLOSE_POLICIES)
    {
        if (p == policy)
        {
            return name;
        }
    }
    return "?";
}

bool
ParseClosePolicy(const std::string& name, ClosePolicy& policy)
{
    for (const auto& [p, n] : CLOSE_POLICIES)
    {
        if (name == n)
        {
            policy = p;
            return true;
        }
    }
    return false;
}

Ptr<const AttributeChecker>
MakeClosePolicyChecker()
{
    Ptr<EnumChecker> checker = Create<EnumChecker>();
    for (const auto& [p, name] : CLOSE_POLICIES)
    {
        checker->Add(p, name);
    }
    return checker;
}

void
DetachAndClose(Ptr<Socket> s, bool rst)
{
    if (rst)
    {
        s->SetAttributeFailSafe("Linger", BooleanValue(true));
        s->SetAttributeFailSafe("LingerTime", TimeValue(Seconds(0)));
    }
    static const Callback<void, Ptr<Socket>> none; // built once
    s->SetConnectCallback(none, none);
    s->SetRecvCallback(none);
    s->SetCloseCallbacks(none, none);
    s->Close();
}

} // namespace ns3
