/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The figures of one run, drawn from the files the run wrote: timeseries.csv (sockets,
// connects), binds.csv (bind() timeline or matrix), processes.csv (SO_REUSEPORT shares, what
// each server socket served) and destinations.csv (connections and local ports per client
// and destination). Files an older run did not write are skipped with their figures.

#include "collect/atomic-directory.h"
#include "collect/run-collector.h"
#include "plots/csv-table.h"
#include "plots/figure.h"
#include "util/run-summary.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace portlab
{

namespace
{

/// Fixed colours of outcomes, the same in every figure (Okabe-Ito).
const char* const kOk = "#009E73";
const char* const kAddrInUse = "#D55E00";
const char* const kAddrNotAvail = "#E69F00";
const char* const kConnReset = "#CC79A7";
const char* const kOtherError = "#56B4E9";
const char* const kNone = "#999999";

std::string
ResultColour(const std::string& result)
{
    if (result == "ok")
    {
        return kOk;
    }
    if (result == "EADDRINUSE")
    {
        return kAddrInUse;
    }
    if (result == "EADDRNOTAVAIL")
    {
        return kAddrNotAvail;
    }
    if (result == "ECONNRESET")
    {
        return kConnReset;
    }
    if (result == "none")
    {
        return kNone;
    }
    return kOtherError;
}

std::string
Fixed(double v, int digits)
{
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << v;
    return o.str();
}

std::string
Count(double v)
{
    return Fixed(v, 0);
}

/// The host group of a host name: "client12" -> "client".
std::string
GroupOf(const std::string& host)
{
    size_t end = host.find_last_not_of("0123456789");
    return end == std::string::npos ? host : host.substr(0, end + 1);
}

void
Append(std::vector<std::string>& to, const std::vector<std::string>& from)
{
    to.insert(to.end(), from.begin(), from.end());
}

/// One series of labelled bars: a legend entry, a colour, and a bar per Add().
class BarSeries
{
  public:
    BarSeries(const std::string& title, const std::string& colour)
    {
        m_series.title = title;
        m_series.style = Series::Style::Bars;
        m_series.colour = colour;
    }

    /// A bar of height y at x, labelled above.
    void Add(double x, double y, const std::string& label)
    {
        m_series.x.push_back(x);
        m_series.y.push_back(y);
        m_series.labels.push_back(label);
    }

    bool Empty() const
    {
        return m_series.x.empty();
    }

    /// The tallest bar (0 when there is none).
    double Top() const
    {
        double top = 0;
        for (double y : m_series.y)
        {
            top = std::max(top, y);
        }
        return top;
    }

    const Series& Get() const
    {
        return m_series;
    }

  private:
    Series m_series;
};

/// The marks of bind() results, one series per result, titled "bind() RESULT" and coloured by
/// the result.
class BindResultSeries
{
  public:
    explicit BindResultSeries(Series::Style style)
        : m_style(style)
    {
    }

    /// \return the series of a result, made on its first use
    Series& Of(const std::string& result)
    {
        auto it = m_byResult.find(result);
        if (it == m_byResult.end())
        {
            m_order.push_back(result);
            Series s;
            s.title = "bind() " + result;
            s.style = m_style;
            s.colour = ResultColour(result);
            it = m_byResult.emplace(result, s).first;
        }
        return it->second;
    }

    /// \return ok first, then the errors in the order they first appeared
    std::vector<Series> OkFirst() const
    {
        std::vector<std::string> order = m_order;
        std::stable_partition(order.begin(), order.end(), [](const auto& r) { return r == "ok"; });
        std::vector<Series> series;
        for (const auto& r : order)
        {
            series.push_back(m_byResult.at(r));
        }
        return series;
    }

  private:
    Series::Style m_style;
    std::map<std::string, Series> m_byResult;
    std::vector<std::string> m_order;
};

/// A parameter of the run ("app.web.reuseaddr"), or "" when summary.json does not set it.
class Parameters
{
  public:
    explicit Parameters(const std::string& dir)
    {
        std::string path = dir + "summary.json";
        if (!fs::exists(path))
        {
            return;
        }
        Json s = ReadJsonFile(path);
        if (s.contains("parameters") && s["parameters"].is_object())
        {
            for (const auto& [k, v] : s["parameters"].items())
            {
                if (v.is_string())
                {
                    m_values[k] = v.get<std::string>();
                }
            }
        }
    }

    std::string Get(const std::string& key) const
    {
        auto it = m_values.find(key);
        return it == m_values.end() ? "" : it->second;
    }

  private:
    std::map<std::string, std::string> m_values;
};

/// One process as processes.csv lists it.
struct Process
{
    std::string app;
    std::string type;
    std::string host;
    std::string process;
    std::string bind;
    double accepted{0};
    double served{0};
    double received{0};
    double answered{0};
    double attempted{0};
    double connected{0};
    double failed{0};
    double localPorts{NAN};
};

std::vector<Process>
ReadProcesses(const std::string& path)
{
    std::vector<Process> out;
    if (!fs::exists(path))
    {
        return out;
    }
    CsvTable t = ReadCsv(path);
    auto num = [&](const char* c) {
        return t.Has(c) ? t.Numbers(c) : std::vector<double>(t.Rows(), NAN);
    };
    auto accepted = num("accepted");
    auto served = num("served");
    auto received = num("received");
    auto answered = num("answered");
    auto attempted = num("attempted");
    auto connected = num("connected");
    auto failed = num("failed");
    auto ports = num("local_ports");
    for (size_t i = 0; i < t.Rows(); ++i)
    {
        Process p;
        p.app = t.Column("app")[i];
        p.type = t.Column("type")[i];
        p.host = t.Column("host")[i];
        p.process = t.Column("process")[i];
        p.bind = t.Column("bind")[i];
        p.accepted = accepted[i];
        p.served = served[i];
        p.received = received[i];
        p.answered = answered[i];
        p.attempted = attempted[i];
        p.connected = connected[i];
        p.failed = failed[i];
        p.localPorts = ports[i];
        out.push_back(p);
    }
    return out;
}

/// "app (host)" or "app #2 (host)" for the second process of a group.
std::string
ProcessName(const std::string& app, const std::string& host, const std::string& process)
{
    return app + (process == "0" ? "" : " #" + std::to_string(std::stoul(process) + 1)) + " (" +
           host + ")";
}

/// The sockets figure: TIME-WAIT and connections of the busiest hosts; a host that both
/// accepts and opens connections (a proxy) has its TIME-WAITs split in two.
std::vector<std::string>
PlotSockets(const CsvTable& t,
            const std::string& stemPrefix,
            const std::string& scenario,
            const std::vector<Process>& processes)
{
    const std::vector<std::string>& host = t.Column("host");
    std::vector<double> time = t.Numbers("time_s");
    std::vector<double> tw = t.Numbers("tcp_time_wait");
    std::vector<double> est = t.Numbers("tcp_established");
    std::vector<double> inbound =
        t.Has("tcp_time_wait_inbound") ? t.Numbers("tcp_time_wait_inbound") : tw;
    std::vector<std::string> hosts;
    for (const auto& h : host)
    {
        if (std::find(hosts.begin(), hosts.end(), h) == hosts.end())
        {
            hosts.push_back(h);
        }
    }
    std::set<std::string> proxies;
    for (const auto& p : processes)
    {
        if (p.type == "tcp-proxy")
        {
            proxies.insert(p.host);
        }
    }
    Figure sockets;
    sockets.title = scenario + ": sockets per host";
    sockets.xLabel = "simulated time (s)";
    sockets.yLabel = "sockets";
    sockets.steps = true;
    std::vector<std::pair<double, std::string>> busy;
    for (const auto& h : hosts)
    {
        double peak = 0;
        for (size_t i = 0; i < t.Rows(); ++i)
        {
            if (host[i] == h)
            {
                peak = std::max(peak, tw[i] + est[i]);
            }
        }
        busy.emplace_back(-peak, h);
    }
    std::stable_sort(busy.begin(), busy.end());
    for (size_t b = 0; b < busy.size() && b < 4; ++b)
    {
        if (busy[b].first == 0)
        {
            continue;
        }
        const std::string& h = busy[b].second;
        // Split when the host has TIME-WAITs of both kinds at some point.
        bool in = false;
        bool out = false;
        for (size_t i = 0; i < t.Rows(); ++i)
        {
            if (host[i] == h)
            {
                in = in || inbound[i] > 0;
                out = out || tw[i] - inbound[i] > 0;
            }
        }
        const bool proxy = proxies.count(h) > 0;
        std::vector<std::pair<std::string, std::function<double(size_t)>>> columns;
        if (in && out)
        {
            columns.emplace_back(h + (proxy ? " TIME-WAIT upstream (connections it opened)"
                                            : " TIME-WAIT of connections it opened"),
                                 [&](size_t i) { return tw[i] - inbound[i]; });
            columns.emplace_back(h + (proxy ? " TIME-WAIT downstream (connections it accepted)"
                                            : " TIME-WAIT of connections it accepted"),
                                 [&](size_t i) { return inbound[i]; });
        }
        else
        {
            columns.emplace_back(h + " TIME-WAIT", [&](size_t i) { return tw[i]; });
        }
        columns.emplace_back(h + " connections", [&](size_t i) { return est[i]; });
        for (const auto& [title, value] : columns)
        {
            Series s;
            s.title = title;
            bool any = false;
            for (size_t i = 0; i < t.Rows(); ++i)
            {
                if (host[i] == h)
                {
                    s.x.push_back(time[i]);
                    s.y.push_back(value(i));
                    any = any || value(i) != 0;
                }
            }
            if (any) // a host's all-zero line would only lengthen the legend
            {
                sockets.series.push_back(s);
            }
        }
    }
    if (sockets.series.empty())
    {
        return {};
    }
    return RenderFigure(sockets, stemPrefix + "sockets");
}

/// The groups figure, for runs with a group of more hosts than the sockets figure shows (it
/// draws the 4 busiest hosts): TIME-WAIT per host of each group over time, on the group's
/// busiest host and on average, with the group's total at the end in the legend, so where
/// TIME-WAIT piles up in a large topology reads at a glance.
std::vector<std::string>
PlotGroups(const CsvTable& t, const std::string& stemPrefix, const std::string& scenario)
{
    const std::vector<std::string>& host = t.Column("host");
    std::vector<double> time = t.Numbers("time_s");
    std::vector<double> tw = t.Numbers("tcp_time_wait");

    struct Group
    {
        std::set<std::string> hosts;
        std::map<double, std::pair<double, double>> at; //!< time -> (sum, max) over its hosts
    };

    std::vector<std::string> order; // groups in the order their hosts first appear
    std::map<std::string, Group> groups;
    for (size_t i = 0; i < t.Rows(); ++i)
    {
        const std::string g = GroupOf(host[i]);
        if (!groups.count(g))
        {
            order.push_back(g);
        }
        Group& gr = groups[g];
        gr.hosts.insert(host[i]);
        auto& [sum, most] = gr.at[time[i]];
        sum += tw[i];
        most = std::max(most, tw[i]);
    }
    size_t largest = 0;
    for (const auto& [g, gr] : groups)
    {
        largest = std::max(largest, gr.hosts.size());
    }
    if (largest <= 4)
    {
        return {}; // the sockets figure already shows every host
    }
    Figure fig;
    fig.title = scenario + ": TIME-WAIT per host, by host group";
    fig.xLabel = "simulated time (s)";
    fig.yLabel = "TIME-WAIT sockets per host";
    fig.steps = true;
    fig.yMin = 0;
    const char* palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000"};
    for (size_t gi = 0; gi < order.size(); ++gi)
    {
        const std::string& g = order[gi];
        const Group& gr = groups[g];
        const double n = double(gr.hosts.size());
        const auto& [lastTime, last] = *gr.at.rbegin();
        Series most;
        most.title = g + " (" + Count(n) + " hosts): busiest host";
        Series mean;
        mean.title = g + ": mean per host (" + Count(last.first) + " in all at " +
                     Fixed(lastTime, 0) + " s)";
        mean.dashed = true;
        most.colour = palette[gi % 5];
        mean.colour = most.colour;
        for (const auto& [x, v] : gr.at)
        {
            most.x.push_back(x);
            most.y.push_back(v.second);
            mean.x.push_back(x);
            mean.y.push_back(v.first / n);
        }
        fig.series.push_back(most);
        fig.series.push_back(mean);
    }
    return RenderFigure(fig, stemPrefix + "groups");
}

/// "4s", "500ms", "1.5min" in seconds; NaN when it is not a time.
double
Seconds(const std::string& text)
{
    size_t end = 0;
    double v = NAN;
    try
    {
        v = std::stod(text, &end);
    }
    catch (const std::exception&)
    {
        return NAN;
    }
    std::string unit = text.substr(end);
    unit.erase(0, unit.find_first_not_of(' '));
    static const std::map<std::string, double> scale =
        {{"", 1}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"min", 60}, {"h", 3600}};
    auto it = scale.find(unit);
    return it == scale.end() ? NAN : v * it->second;
}

/// The servers' life events the scenario schedules: (time s, what happens), one entry for
/// several servers doing the same thing at the same time.
std::vector<std::pair<double, std::string>>
ServerEvents(const Parameters& params, const std::vector<Process>& processes)
{
    // (time, verb) -> apps
    std::map<std::pair<double, std::string>, std::vector<std::string>> merged;
    std::set<std::string> apps;
    for (const auto& p : processes)
    {
        if ((p.type == "tcp-server" || p.type == "tcp-proxy") && apps.insert(p.app).second)
        {
            const std::string k = "app." + p.app + ".";
            const std::pair<const char*, const char*> keys[] = {
                {"start", "starts listening"},
                {"accept_stop", "stops calling accept()"},
                {"stop", "closes its listener"},
                {"restart_at", "restarts"}};
            for (const auto& [key, verb] : keys)
            {
                double t = Seconds(params.Get(k + key));
                if (t > 0 || (t == 0 && std::string(key) != "start"))
                {
                    merged[{t, verb}].push_back(p.app);
                }
            }
        }
    }
    std::vector<std::pair<double, std::string>> events;
    for (const auto& [when, who] : merged)
    {
        std::string verb = when.second;
        std::string subject = who.front();
        if (who.size() == 2)
        {
            subject = who[0] + " and " + who[1];
        }
        else if (who.size() > 2)
        {
            subject = std::to_string(who.size()) + " servers";
        }
        if (who.size() > 1)
        {
            // "starts listening" -> "start listening", "closes its listener" -> "close their ..."
            size_t space = verb.find(' ');
            std::string first = verb.substr(0, space);
            if (first.size() > 2 && first.compare(first.size() - 2, 2, "es") == 0 &&
                first != "closes")
            {
                first.erase(first.size() - 2);
            }
            else if (!first.empty() && first.back() == 's')
            {
                first.pop_back();
            }
            verb = first + (space == std::string::npos ? "" : verb.substr(space));
            size_t its = verb.find(" its ");
            if (its != std::string::npos)
            {
                verb.replace(its, 5, " their ");
            }
        }
        events.emplace_back(when.first, subject + " " + verb);
    }
    return events;
}

/// connect() outcomes per second, summed over the hosts of each group; one set of series per
/// group when several groups connect (a proxy's upstream apart from its clients). Runs of at
/// most 20 intervals are drawn as bars, one group of bars per interval.
std::vector<std::string>
PlotConnects(const CsvTable& t,
             const std::string& stemPrefix,
             const std::string& scenario,
             const std::vector<Process>& processes,
             const Parameters& params)
{
    const std::vector<std::string>& host = t.Column("host");
    std::vector<double> time = t.Numbers("time_s");
    std::vector<std::string> cols = {"connects_ok"};
    for (const auto& c : t.Header())
    {
        if (c.rfind("failed_", 0) == 0)
        {
            cols.push_back(c);
        }
    }
    std::set<double> times(time.begin(), time.end());
    std::set<std::string> proxies;
    for (const auto& p : processes)
    {
        if (p.type == "tcp-proxy")
        {
            proxies.insert(GroupOf(p.host));
        }
    }
    // (group, column) -> time -> count
    std::map<std::pair<std::string, std::string>, std::map<double, double>> sums;
    std::vector<std::string> groups;
    for (const auto& c : cols)
    {
        std::vector<double> v = t.Numbers(c);
        for (size_t i = 0; i < t.Rows(); ++i)
        {
            if (v[i] != 0)
            {
                std::string g = GroupOf(host[i]);
                sums[{g, c}][time[i]] += v[i];
                if (std::find(groups.begin(), groups.end(), g) == groups.end())
                {
                    groups.push_back(g);
                }
            }
        }
    }
    std::sort(groups.begin(), groups.end());
    if (sums.empty())
    {
        return {};
    }
    const bool bars = times.size() <= 20;
    Figure f;
    f.title = scenario + ": connect() outcomes";
    f.xLabel = "simulated time (s)";
    f.yLabel = "connects per second";
    std::vector<Series> series;
    const char* palette[] = {"#0072B2", "#009E73", "#56B4E9", "#000000"};
    for (size_t gi = 0; gi < groups.size(); ++gi)
    {
        const std::string& g = groups[gi];
        for (const auto& c : cols)
        {
            auto it = sums.find({g, c});
            if (it == sums.end())
            {
                continue;
            }
            std::string outcome = c == "connects_ok" ? "established" : c.substr(7);
            if (c != "connects_ok" && c != "failed_other")
            {
                outcome += c == "failed_ECONNRESET" ? " (reset, during or after connect)" : "";
            }
            Series s;
            std::string who = groups.size() == 1 ? ""
                              : proxies.count(g) ? g + " to its upstream: "
                                                 : g + ": ";
            s.title = who + outcome;
            s.colour = c == "connects_ok" ? palette[gi % 4] : ResultColour(c.substr(7));
            s.dashed = gi > 0 && !bars; // a second group's lines stay visible over the first's
            double prev = 0;
            for (double x : times)
            {
                double dt = x - prev;
                prev = x;
                auto n = it->second.find(x);
                double count = n == it->second.end() ? 0 : n->second;
                s.x.push_back(x);
                s.y.push_back(dt > 0 ? count / dt : count);
            }
            if (bars)
            {
                s.style = Series::Style::Bars;
            }
            series.push_back(s);
        }
        if (!series.empty() && series.back().title == (groups.size() == 1 ? "" : g + ": ") +
                                                          std::string("established"))
        {
            series.back().title += " (no connect failed)";
        }
    }
    if (bars)
    {
        // Side by side within each interval.
        double step = times.size() > 1 ? *std::next(times.begin()) - *times.begin() : 1;
        double width = step * 0.8 / series.size();
        f.barWidth = width;
        for (size_t k = 0; k < series.size(); ++k)
        {
            double offset = -step / 2 + step * 0.1 + width * (k + 0.5);
            for (auto& x : series[k].x)
            {
                x += offset - step / 2;
            }
        }
        f.xMin = *times.begin() - step;
        f.xMax = *times.rbegin();
        f.xLabel = "simulated time (s); bars: connects per second in each " +
                   Fixed(step, step < 1 ? 1 : 0) + " s interval";
    }
    double top = 0;
    for (const auto& s : series)
    {
        for (double y : s.y)
        {
            top = std::max(top, y);
        }
    }
    f.yMin = 0;
    // The servers' scheduled events (a listener closing, a restart), marked where they happen.
    auto events = ServerEvents(params, processes);
    f.yMax = std::max(1.0, top * (events.empty() ? 1.1 : 1.12 + 0.07 * events.size()));
    for (size_t k = 0; k < events.size(); ++k)
    {
        Series line;
        line.colour = "#555555";
        line.dashed = true;
        line.x = {events[k].first, events[k].first};
        line.y = {0, top * (1.06 + 0.07 * (events.size() - k))};
        series.push_back(line);
        f.notes.push_back({events[k].first,
                           top * (1.06 + 0.07 * (events.size() - k)),
                           " " + events[k].second + " (" + Fixed(events[k].first, 1) + " s)"});
    }
    f.series = series;
    return RenderFigure(f, stemPrefix + "connects");
}

/// The restart variant of a server app, from its parameters: who closes first and
/// SO_REUSEADDR on the old and new socket.
std::string
RestartVariant(const Parameters& p, const std::string& app)
{
    std::string close = p.Get("app." + app + ".close");
    std::string who = close == "server-first" ? "server closes first"
                      : close == "linger0"    ? "client resets (linger 0)"
                                              : "client closes first";
    auto yes = [](const std::string& v) { return v == "true" || v == "1" || v == "yes"; };
    bool oldReuse = yes(p.Get("app." + app + ".reuseaddr"));
    std::string n = p.Get("app." + app + ".restart_reuseaddr");
    bool newReuse = n.empty() || n == "same" ? oldReuse : yes(n);
    return who + ", SO_REUSEADDR old " + (oldReuse ? "yes" : "no") + " / new " +
           (newReuse ? "yes" : "no");
}

/// Each server's bind() attempts over time, one row per server process, a mark per attempt
/// coloured by its result: drawn when a server restarts (binds more than once).
std::vector<std::string>
PlotBindTimeline(const CsvTable& b,
                 const std::string& stemPrefix,
                 const std::string& scenario,
                 const Parameters& params,
                 const std::vector<Process>& processes)
{
    std::vector<double> time = b.Numbers("time_s");
    const auto& app = b.Column("app");
    const auto& host = b.Column("host");
    const auto& process = b.Column("process");
    const auto& result = b.Column("result");
    std::vector<std::string> rows;
    std::map<std::string, std::vector<size_t>> attempts;
    for (size_t i = 0; i < b.Rows(); ++i)
    {
        std::string key = ProcessName(app[i], host[i], process[i]);
        if (!attempts.count(key))
        {
            rows.push_back(key);
        }
        attempts[key].push_back(i);
    }
    // By host (server1, server2, ... as the scenario numbers its variants), then start order.
    (void)processes;
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) {
        const std::string& hx = host[attempts[x].front()];
        const std::string& hy = host[attempts[y].front()];
        return std::make_pair(GroupOf(hx), hx.size()) < std::make_pair(GroupOf(hy), hy.size()) ||
               (std::make_pair(GroupOf(hx), hx.size()) == std::make_pair(GroupOf(hy), hy.size()) &&
                hx < hy);
    });
    Figure f;
    f.title = scenario + ": bind() attempts of each server (a restart retries until it binds)";
    f.xLabel = "simulated time (s)";
    f.yLabel = "";
    f.height = std::max(400, 150 + 75 * static_cast<int>(rows.size()));
    BindResultSeries marks(Series::Style::Points);
    double tMax = 0;
    for (size_t r = 0; r < rows.size(); ++r)
    {
        double y = rows.size() - 1 - r;
        f.yTics.push_back({y, rows[r]});
        const auto& idx = attempts[rows[r]];
        for (size_t i : idx)
        {
            Series& mark = marks.Of(result[i]);
            mark.pointType = result[i] == "ok" ? 7 : 5; // a filled circle, else a square
            mark.pointSize = 1.3;
            mark.x.push_back(time[i]);
            mark.y.push_back(y);
            tMax = std::max(tMax, time[i]);
        }
        // What happened at the restart, above the row.
        if (idx.size() >= 2)
        {
            double restart = time[idx[1]];
            std::string outcome;
            size_t failures = 0;
            for (size_t k = 1; k < idx.size(); ++k)
            {
                if (result[idx[k]] == "ok")
                {
                    double wait = time[idx[k]] - restart;
                    outcome = wait == 0 ? "ok at once"
                                        : result[idx[1]] + " for " +
                                              Fixed(wait, wait == std::floor(wait) ? 0 : 1) +
                                              " s, then ok";
                    break;
                }
                ++failures;
            }
            if (outcome.empty())
            {
                outcome = "never bound again (" + std::to_string(failures) + " tries)";
            }
            std::string appName = app[idx.front()];
            f.notes.push_back(
                {restart, y + 0.33, RestartVariant(params, appName) + " → " + outcome});
        }
    }
    f.series = marks.OkFirst();
    f.yMin = -0.6;
    f.yMax = rows.size() - 0.35;
    f.xMin = 0;
    f.xMax = std::max(1.0, std::ceil(tMax * 1.1));
    return RenderFigure(f, stemPrefix + "binds");
}

/// The first bind() of every server process as a labelled matrix: a row per app, a column per
/// process of the app.
std::vector<std::string>
PlotBindMatrix(const CsvTable& b, const std::string& stemPrefix, const std::string& scenario)
{
    const auto& app = b.Column("app");
    const auto& host = b.Column("host");
    const auto& process = b.Column("process");
    const auto& protocol = b.Column("protocol");
    const auto& local = b.Column("local");
    const auto& result = b.Column("result");
    std::vector<std::string> rows;
    std::map<std::string, std::string> rowLabel;
    std::map<std::string, std::vector<size_t>> cells;
    size_t columns = 1;
    for (size_t i = 0; i < b.Rows(); ++i)
    {
        std::string key = app[i] + "\n" + host[i];
        if (!cells.count(key))
        {
            rows.push_back(key);
            std::string upper = protocol[i];
            std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
            rowLabel[key] = app[i] + " (" + host[i] + ") " + upper + " " + local[i];
        }
        cells[key].push_back(i);
        columns = std::max<size_t>(columns, std::stoul(process[i]) + 1);
    }
    Figure f;
    f.title = scenario + ": first bind() of each server process";
    f.xLabel = columns > 1 ? "process of the app" : "";
    f.yLabel = "";
    f.barWidth = 0.92;
    f.width = std::max(900, 420 + 150 * static_cast<int>(columns));
    f.height = std::max(320, 160 + 60 * static_cast<int>(rows.size()));
    BindResultSeries marks(Series::Style::Cells);
    for (size_t r = 0; r < rows.size(); ++r)
    {
        double y = rows.size() - 1 - r;
        f.yTics.push_back({y, rowLabel[rows[r]]});
        std::set<std::string> seen;
        for (size_t i : cells[rows[r]])
        {
            if (!seen.insert(process[i]).second)
            {
                continue; // a later attempt of the same process (a restart)
            }
            Series& s = marks.Of(result[i]);
            s.x.push_back(std::stod(process[i]));
            s.y.push_back(y);
            s.labels.push_back(result[i]);
        }
    }
    f.series = marks.OkFirst();
    for (size_t c = 0; c < columns; ++c)
    {
        f.xTics.push_back({double(c), columns > 1 ? "process " + std::to_string(c + 1) : ""});
    }
    f.xMin = -0.5;
    f.xMax = columns - 0.5;
    f.yMin = -0.5;
    f.yMax = rows.size() - 0.5;
    return RenderFigure(f, stemPrefix + "binds");
}

/// SO_REUSEPORT groups: each process's share of its group's connections (or datagrams), with
/// the even share marked.
std::vector<std::string>
PlotShares(const std::vector<Process>& processes,
           const std::string& stemPrefix,
           const std::string& scenario)
{
    // (app, host) -> its processes, in order
    std::vector<std::pair<std::string, std::string>> groups;
    std::map<std::pair<std::string, std::string>, std::vector<const Process*>> members;
    for (const auto& p : processes)
    {
        if (p.type != "tcp-server" && p.type != "udp-server" && p.type != "tcp-proxy")
        {
            continue;
        }
        auto key = std::make_pair(p.app, p.host);
        if (!members.count(key))
        {
            groups.push_back(key);
        }
        members[key].push_back(&p);
    }
    Figure f;
    f.title = scenario + ": how a SO_REUSEPORT group shares the load";
    f.xLabel = "";
    f.yLabel = "share of the group's connections (%)";
    f.barWidth = 0.7;
    BarSeries bars("each process's share", "#0072B2");
    double x = 0;
    bool udp = false;
    bool evenTitled = false;
    std::vector<Series> evens;
    for (const auto& key : groups)
    {
        const auto& m = members[key];
        if (m.size() < 2)
        {
            continue;
        }
        double total = 0;
        for (const auto* p : m)
        {
            total += p->type == "udp-server" ? p->received : p->accepted;
            udp = udp || p->type == "udp-server";
        }
        if (total <= 0)
        {
            continue;
        }
        double first = x;
        for (const auto* p : m)
        {
            double n = p->type == "udp-server" ? p->received : p->accepted;
            bars.Add(x, 100 * n / total, Count(n) + " (" + Fixed(100 * n / total, 1) + "%)");
            f.xTics.push_back({x, ProcessName(p->app, p->host, p->process)});
            x += 1;
        }
        Series even;
        even.title = evenTitled ? ""
                                : "even share (100% / processes = " +
                                      Fixed(100.0 / m.size(), m.size() == 3 ? 1 : 0) + "%)";
        evenTitled = true;
        even.colour = "#000000";
        even.dashed = true;
        even.x = {first - 0.5, x - 0.5};
        even.y = {100.0 / m.size(), 100.0 / m.size()};
        evens.push_back(even);
        x += 0.5;
    }
    if (bars.Empty())
    {
        return {};
    }
    if (udp)
    {
        f.yLabel = "share of the group's connections or datagrams (%)";
    }
    f.series.push_back(bars.Get());
    for (auto& e : evens)
    {
        f.series.push_back(e);
    }
    f.xMin = -0.6;
    f.xMax = x - 0.9;
    f.yMin = 0;
    f.yMax = std::max(10.0, std::ceil(bars.Top() * 1.25 / 5) * 5);
    f.keyInside = true;
    return RenderFigure(f, stemPrefix + "shares");
}

/// What each server socket served (TCP connections, UDP datagrams answered): drawn when the
/// run has UDP, so each UDP socket's answers are visible beside the TCP ones.
std::vector<std::string>
PlotServed(const std::vector<Process>& processes,
           const std::string& stemPrefix,
           const std::string& scenario)
{
    bool anyUdp = false;
    for (const auto& p : processes)
    {
        anyUdp = anyUdp || p.type == "udp-server" || p.type == "udp-client";
    }
    if (!anyUdp)
    {
        return {};
    }
    Figure f;
    f.title = scenario + ": what each socket served";
    f.xLabel = "";
    f.yLabel = "connections served (TCP) or datagrams answered (UDP)";
    f.barWidth = 0.6;
    BarSeries tcp("TCP server: connections served", "#0072B2");
    BarSeries udp("UDP server: datagrams answered", "#E69F00");
    BarSeries client("UDP client: answers received of datagrams sent", "#56B4E9");
    double x = 0;
    for (const auto& p : processes)
    {
        BarSeries* s = p.type == "tcp-server"   ? &tcp
                       : p.type == "udp-server" ? &udp
                       : p.type == "udp-client" ? &client
                                                : nullptr;
        if (s == nullptr)
        {
            continue;
        }
        double v = p.type == "tcp-server" ? p.served : p.answered;
        std::string label = Count(v);
        if (p.type == "udp-client")
        {
            label += " of " + Count(p.attempted);
        }
        else if (p.bind != "ok")
        {
            label = "bind() " + p.bind + ": no socket";
        }
        s->Add(x, v, label);
        std::string proto = p.type.substr(0, 3);
        std::transform(proto.begin(), proto.end(), proto.begin(), ::toupper);
        f.xTics.push_back({x, ProcessName(p.app, p.host, p.process) + " " + proto});
        x += 1;
    }
    double top = 0;
    for (const auto* s : {&tcp, &udp, &client})
    {
        if (!s->Empty())
        {
            f.series.push_back(s->Get());
        }
        top = std::max(top, s->Top());
    }
    f.xMin = -0.6;
    f.xMax = x - 0.4;
    f.yMin = 0;
    f.yMax = std::max(1.0, top * 1.2);
    f.xTicAngle = f.xTics.size() > 4 ? 20 : 0;
    f.keyInside = false;
    return RenderFigure(f, stemPrefix + "served");
}

/// TCP clients: connections established and distinct local ports, per client and per
/// destination: whether a local port serves several destinations.
std::vector<std::string>
PlotDestinations(const std::string& path,
                 const std::vector<Process>& processes,
                 const std::string& stemPrefix,
                 const std::string& scenario)
{
    if (!fs::exists(path))
    {
        return {};
    }
    CsvTable d = ReadCsv(path);
    if (d.Rows() == 0)
    {
        return {};
    }
    const auto& app = d.Column("app");
    const auto& host = d.Column("host");
    const auto& process = d.Column("process");
    const auto& server = d.Column("server");
    const auto& destination = d.Column("destination");
    auto conns = d.Numbers("connections");
    auto ports = d.Numbers("local_ports");
    // Clients by host (client1, client2, ...), each client's destinations in their order.
    std::vector<size_t> order(d.Rows());
    for (size_t i = 0; i < order.size(); ++i)
    {
        order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
        auto key = [&](size_t i) {
            return std::make_tuple(GroupOf(host[i]), host[i].size(), host[i], app[i]);
        };
        return key(x) < key(y);
    });
    // Worth a figure when some client talks to several destinations.
    std::map<std::string, size_t> perClient;
    for (size_t i = 0; i < d.Rows(); ++i)
    {
        ++perClient[ProcessName(app[i], host[i], process[i])];
    }
    size_t most = 0;
    for (const auto& [c, n] : perClient)
    {
        most = std::max(most, n);
    }
    if (most < 2 || d.Rows() + perClient.size() > 40)
    {
        return {};
    }
    Figure f;
    f.title = scenario + ": connections and local ports per client and destination";
    f.xLabel = "client process: all its destinations, then each destination";
    f.yLabel = "count";
    const double w = 0.27;
    f.barWidth = w;
    BarSeries c("connections established", "#0072B2");
    BarSeries p("distinct local ports they used", "#E69F00");
    BarSeries fail("connects that failed", kAddrInUse);
    double x = 0;
    double top = 0;
    auto add = [&](const std::string& tic, double n, double used, double failed) {
        c.Add(x - w, n, Count(n));
        p.Add(x, used, std::isnan(used) ? "" : Count(used));
        if (!std::isnan(failed))
        {
            fail.Add(x + w, failed, Count(failed));
        }
        f.xTics.push_back({x, tic});
        top = std::max({top, n, std::isnan(used) ? 0 : used, std::isnan(failed) ? 0 : failed});
        x += 1;
    };
    std::string current;
    for (size_t i : order)
    {
        std::string client = ProcessName(app[i], host[i], process[i]);
        if (client != current)
        {
            if (!current.empty())
            {
                x += 0.6;
            }
            current = client;
            const Process* rec = nullptr;
            for (const auto& pr : processes)
            {
                if (pr.app == app[i] && pr.host == host[i] && pr.process == process[i])
                {
                    rec = &pr;
                }
            }
            if (rec != nullptr)
            {
                add(client + ": all", rec->connected, rec->localPorts, rec->failed);
            }
        }
        // The server's name, and the address too when the client reaches one server at
        // several addresses or ports.
        size_t sameServer = 0;
        for (size_t j = 0; j < d.Rows(); ++j)
        {
            sameServer += app[j] == app[i] && host[j] == host[i] && process[j] == process[i] &&
                          server[j] == server[i];
        }
        std::string to = server[i].empty() ? destination[i]
                         : sameServer > 1  ? server[i] + " " + destination[i]
                                           : server[i];
        add("→ " + to, conns[i], ports[i], NAN);
    }
    f.series = {c.Get(), p.Get()};
    if (!fail.Empty())
    {
        f.series.push_back(fail.Get());
    }
    f.xMin = -0.7;
    f.xMax = x - 0.3;
    f.yMin = 0;
    f.yMax = std::max(1.0, top * 1.2);
    f.xTicAngle = 30;
    f.width = 1100;
    f.height = 650;
    return RenderFigure(f, stemPrefix + "destinations");
}

} // namespace

std::vector<std::string>
PlotRun(const std::string& csvPath, const std::string& stemPrefix, const std::string& scenario)
{
    CsvTable t = ReadCsv(csvPath);
    if (t.Rows() == 0)
    {
        throw std::runtime_error(csvPath + ": no rows (a truncated file?); allowed: a "
                                           "timeseries.csv written by portlab run");
    }
    const std::string dir = fs::path(csvPath).parent_path().string();
    const std::string prefix = dir.empty() ? "" : dir + "/";
    std::vector<Process> processes = ReadProcesses(prefix + "processes.csv");
    std::vector<std::string> written;
    Append(written, PlotSockets(t, stemPrefix, scenario, processes));
    Append(written, PlotGroups(t, stemPrefix, scenario));
    Append(written, PlotConnects(t, stemPrefix, scenario, processes, Parameters(prefix)));
    if (fs::exists(prefix + "binds.csv"))
    {
        CsvTable b = ReadCsv(prefix + "binds.csv");
        if (b.Rows() > 0)
        {
            std::set<std::string> once;
            bool restarts = false;
            const auto& app = b.Column("app");
            const auto& host = b.Column("host");
            const auto& process = b.Column("process");
            for (size_t i = 0; i < b.Rows(); ++i)
            {
                restarts =
                    restarts || !once.insert(app[i] + "," + host[i] + "," + process[i]).second;
            }
            if (restarts)
            {
                Append(written,
                       PlotBindTimeline(b, stemPrefix, scenario, Parameters(prefix), processes));
            }
            else if (std::set<std::string>(b.Column("result").begin(), b.Column("result").end())
                         .size() >= 2)
            {
                // Only when some bind() failed: a matrix of "ok" answers no question.
                Append(written, PlotBindMatrix(b, stemPrefix, scenario));
            }
        }
    }
    Append(written, PlotShares(processes, stemPrefix, scenario));
    Append(written, PlotServed(processes, stemPrefix, scenario));
    Append(written, PlotDestinations(prefix + "destinations.csv", processes, stemPrefix, scenario));
    return written;
}

} // namespace portlab
