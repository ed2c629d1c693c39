/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_GOLDEN_SCRIPT_H
#define PORTLAB_GOLDEN_SCRIPT_H

#include "golden-compare.h"
#include "script/script-program.h"
#include "util/json-text.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \brief The interpreters a golden case runs on.
 */
enum class GoldenBackend
{
    TABLE,     //!< the port tables alone (RunTableScript, through TableDriver)
    TRANSPORT, //!< portlab's stack over ns-3 packets (RunSocketScript)
    KERNEL,    //!< the live Linux kernel in fresh network namespaces (RunKernelScript)
};

/// \param b a backend \return "table", "transport" or "kernel"
const char* GoldenBackendName(GoldenBackend b);

/**
 * \brief How one check's result goes into the probe's JSON result (a `#=` annotation).
 *
 * - `set "K"`: K is the result (a `ss HOST` count line becomes {"STATE": N, ...});
 *   `set "K" "T"`: K is T with `{}` replaced by the result
 * - `append "K" "T"`: T, `{}` replaced by the result, appended to K's text
 * - `count "K"` / `count "K" I`: K (or element I of the array K) counts the results that are
 *   no errno name
 * - `first-fail "K"`: [index, errno] of the first of K's lines whose result is an errno
 *   (null if none); the index counts K's lines from 0
 * - `parity "K"`: K is {"even": N, "odd": M} of the ports K's lines report
 * - `steps "K"`: K is how many consecutive ports of K's lines are 1 or 2 apart
 * - `listen-queues "K"`: K lists the Recv-Q (accept queue) of each LISTEN row of an
 *   `ss HOST rows` result
 * - `const "K" JSON` (a comment line of its own): K is JSON
 */
struct GoldenFold
{
    std::string op;        //!< set, append, count, first-fail, parity, steps, listen-queues, const
    std::string key;       //!< the result's key
    std::string text;      //!< set/append: the template ("" for set: the result itself)
    int index{-1};         //!< count: the array element (-1: a plain count)
    Json value;            //!< const: the value
    bool countForm{false}; //!< set on a `ss HOST` count line: the result becomes an object
};

/**
 * \brief One recorded case described once, as a socket script whose `#=` comments say how
 * its checks form the probe's result (see GoldenFold). A comment line `#= runs-on BACKEND...`
 * limits the interpreters (default: all three).
 */
struct GoldenScript
{
    std::string name;                             //!< the case (the file's stem)
    ScriptProgram program;                        //!< the script
    std::vector<GoldenBackend> backends;          //!< where it runs
    std::map<int, std::vector<GoldenFold>> folds; //!< by line
    std::vector<GoldenFold> constants;            //!< `const` lines
    std::vector<std::string> keys;                //!< every key, in first-written order
};

/**
 * \brief Parse a golden script.
 * \param text the script \param name the case
 * \return the case
 * \throws ConfigError for a malformed script or annotation, or an annotation on a line that
 *         is no check (a statement without `->`)
 */
GoldenScript ParseGoldenScript(const std::string& text, const std::string& name);

/**
 * \brief Every `*.pcs` of a directory, by name.
 * \param dir the directory \return the cases \throws ConfigError, std::runtime_error
 */
std::vector<GoldenScript> LoadGoldenScripts(const std::string& dir);

/// \param g a case \param b a backend \return whether the case runs there
bool GoldenRunsOn(const GoldenScript& g, GoldenBackend b);

/**
 * \brief What one run of a case gave.
 */
struct GoldenRun
{
    Json result;                       //!< in the probe's JSON shape
    std::vector<std::string> problems; //!< script checks that failed, results that fold badly
};

/**
 * \brief Fold a run's checks into the probe's result.
 * \param g the case \param checks what an interpreter returned for g.program
 * \return the result and any problem
 */
GoldenRun FoldGoldenChecks(const GoldenScript& g, const std::vector<ScriptCheck>& checks);

/**
 * \brief Run a case on one interpreter and fold its checks.
 * \param g the case \param b where \param seed the simulation's seed (table, transport)
 * \return the run
 * \throws TableScriptUnsupported, KernelScriptUnavailable, std::runtime_error
 */
GoldenRun RunGoldenScript(const GoldenScript& g, GoldenBackend b, uint64_t seed);

/**
 * \brief CompareGoldenCase(), and a case whose script checks failed (a setup call, a port out
 * of its range) disagrees as a whole.
 * \param name the case \param expected the recorded result \param run what ran
 * \param report receives the outcome
 */
void CompareGoldenRun(const std::string& name,
                      const Json& expected,
                      const GoldenRun& run,
                      GoldenReport& report);

} // namespace portlab

#endif // PORTLAB_GOLDEN_SCRIPT_H
