/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_LINUX_PREDICTOR_H
#define PORTLAB_LINUX_PREDICTOR_H

#include "ports/tcp-time-wait-rules.h"
#include "scenario/scenario-spec.h"

#include <map>
#include <string>
#include <vector>

/**
 * \file
 * \ingroup portlab-scenario
 * What Linux does in a scenario, derived from its hosts' sysctls and its workload with the
 * TIME_WAIT rules of models/ports/tcp-time-wait-rules.h (nothing here restates them), and which
 * hand-written expectations a run's overrides make unverifiable.
 */

namespace portlab
{

/// \param v a number \return it as verdicts and summary.json print it ("470.5", "1")
std::string FormatNumber(double v);

/**
 * \ingroup portlab-scenario
 * \brief Where a verdict's "Linux" value comes from.
 */
enum class VerdictSource
{
    LINUX_MODEL, //!< derived by LinuxPredictor from the sysctls and the workload
    RECORDED,    //!< a value recorded on a Linux kernel
    SCENARIO,    //!< typed by the scenario's author (or on the command line)
};

/// \param s a source \return "linux-model", "recorded" or "scenario"
std::string VerdictSourceName(VerdictSource s);

/**
 * \ingroup portlab-scenario
 * \brief What Linux does for one metric, as the predictor derives it.
 */
struct LinuxPrediction
{
    bool derived{false};    //!< the predictor derives this metric in this scenario
    bool decidable{true};   //!< false: Linux's outcome sits on a knee (see notChecked)
    Expectation expect;     //!< the value, in the forms a scenario may write
    std::string why;        //!< the arithmetic, for the verdict (not derived: why not)
    std::string notChecked; //!< why it cannot be decided (decidable == false)
};

/**
 * \ingroup portlab-scenario
 * \brief One connecting app's flow, integrated over the run: every host of the app alike.
 */
struct ConnectFlow
{
    bool modelled{false};             //!< the predictor models this app
    bool clean{false};                //!< no error other than EADDRNOTAVAIL can occur
    bool timewait{false};             //!< its connections leave TIME_WAITs on its host
    bool unlimited{false};            //!< its TIME_WAITs never limit connect()
    bool decidable{true};             //!< whether failures occur is clear of the knee
    double offered{0};                //!< peak connects/s offered per host
    double capacity{0};               //!< connects/s its ports sustain per host (unlimited: inf)
    double holdS{0};                  //!< how long a TIME_WAIT holds its 4-tuple (s)
    bool takeover{false};             //!< connect() takes its TIME_WAITs over (tcp_tw_reuse)
    double steady{1};                 //!< steady success: each kind of destination serves at most
                                      //!< its share of the offered rate
    double attempts{0};               //!< connects per host over the run
    double successes{0};              //!< of which succeed
    double windowAttempts{0};         //!< connects per host in [warmup, duration]
    double windowSuccesses{0};        //!< of which succeed
    double peakHeld{0};               //!< most 4-tuples held by TIME_WAITs at once
    std::vector<double> served;       //!< successful connects per host per step
    std::vector<double> timewaits;    //!< TIME_WAITs its connections hold per host, per step
                                      //!< (before tcp_max_tw_buckets caps the host's count)
    std::vector<std::string> proxies; //!< destinations that are proxies (see Clean())
    std::string why;                  //!< the arithmetic
};

/**
 * \ingroup portlab-scenario
 * \brief Linux's outcome for a scenario's connecting apps (clients, a proxy's upstream,
 * chained tiers) and its hosts' TIME_WAITs.
 *
 * For every connecting app it takes the connect() capacity of each host from
 * ConnectCapacityPerSecond() (usable ports x destinations over the TIME_WAIT length, or over
 * tcp_tw_reuse_delay where TcpTwskUnique() lets connect() take TIME_WAITs over, or no limit
 * with tcp_max_tw_buckets below what the TIME_WAITs would hold or when the peer closes first),
 * and integrates the ports held over the run, step by step: a connect succeeds while a port is
 * free, and each success holds its 4-tuple for the hold time. A proxy's offered rate is what
 * its clients' connects actually deliver (their successes), not what they offer. Metrics over
 * the steady window are integrated over that very window, so any window is predicted.
 *
 * A host's TIME_WAIT count (timewait_peak) sums, step by step, one entry per connection its
 * connecting apps close first and one per accepted connection a server or proxy closes first
 * (a proxy's clients whose upstream connect fails are reset), each held for the host's
 * TIME_WAIT length, and caps the sum at the host's tcp_max_tw_buckets. Not derived, with the
 * reason in LinuxPrediction::why: TIME_WAITs that connect() takes over (tcp_tw_reuse: where
 * its randomly perturbed port scan lands decides which stay), and a server's TIME_WAITs when
 * its clients' connections within a TIME_WAIT length fill more than 5% of their 4-tuples
 * (their SYNs reopen some of them).
 */
class LinuxPredictor
{
  public:
    /// \param spec the scenario (after overrides)
    explicit LinuxPredictor(const ScenarioSpec& spec);

    /**
     * \param subject an app or host name \param metric a metric of it
     * \return Linux's value, or derived == false when the predictor does not model it
     */
    LinuxPrediction Predict(const std::string& subject, const std::string& metric) const;

    /// \param app a connecting app's name \return its flow (modelled false: not modelled)
    const ConnectFlow& Flow(const std::string& app) const;

    /**
     * \brief The steady success rate Linux reaches for a connecting app, as ports x
     * destinations / hold time / offered rate (min 1): the knee's arithmetic, whatever the
     * window.
     * \param app the app \param why receives the arithmetic \return the fraction
     */
    double SteadySuccess(const AppSpec& app, std::string* why) const;

    /**
     * \brief An override of this run that a hand-written expectation may depend on: any
     * override of a key of the hosts and apps connected to its subject (sysctls, port
     * selectors, counts, rates, ranges, destinations, close policies, ...) or of a key of the
     * whole scenario (durations, links, every host's sysctls).
     * \param e the expectation \return the first such key, or "" when none
     */
    std::string OverrideAffecting(const Expectation& e) const;

    /// \return one line per warning: a rate per host, a steady window that is not whole
    /// TIME_WAIT periods
    std::vector<std::string> Warnings() const;

    /// \return true if anything in the scenario is random across seeds (Poisson arrivals,
    /// link loss, a named port selector's port_guess, a SO_REUSEPORT group's shares)
    bool HasRandomness() const;

  private:
    const AppSpec* App(const std::string& name) const;
    uint32_t HostsOf(const std::string& on) const;
    PortSysctls SysctlsOf(const std::string& on, uint32_t index) const;
    const ConnectFlow& Compute(const std::string& app, int depth) const;
    bool Delivered(const AppSpec& target,
                   int depth,
                   bool requests,
                   std::vector<double>& perStep,
                   double* peak,
                   bool* poisson) const;
    bool HostTimeWaits(const std::string& subject,
                       std::vector<double>& perStep,
                       std::string* why,
                       bool* poisson) const;
    bool Clean(const std::string& app, int depth) const;
    std::vector<const AppSpec*> Destinations(const AppSpec& app) const;
    std::vector<std::string> Involved(const std::string& subject) const;

    const ScenarioSpec& m_spec;
    double m_dt{0.001};
    size_t m_steps{0};
    mutable std::map<std::string, ConnectFlow> m_flows;
};

} // namespace portlab

#endif // PORTLAB_LINUX_PREDICTOR_H
