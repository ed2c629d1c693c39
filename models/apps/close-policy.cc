/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "apps/close-policy.h"

#include "ns3/boolean.h"
#include "ns3/enum.h"
#include "ns3/nstime.h"

namespace ns3
{

Ptr<const AttributeChecker>
MakeClosePolicyChecker()
{
    return MakeEnumChecker(CLOSE_CLIENT_FIRST,
                           "ClientFirst",
                           CLOSE_SERVER_FIRST,
                           "ServerFirst",
                           CLOSE_LINGER_ZERO,
                           "Linger0");
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
