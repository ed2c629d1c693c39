/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "plots/figure.h"

#include "util/signal-cleanup.h"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <gnuplot-iostream.h>
#include <iterator>
#include <locale>
#include <memory>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace portlab
{
namespace
{

/// Colour-blind-safe line colours (Okabe-Ito), one per series in order, then repeated.
const char* const kColours[] =
    {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};

/// Series with at most this many points are drawn with point markers as well as lines.
constexpr std::size_t kMaxPointsForMarkers = 30;

/// gnuplot's messages are quoted in exceptions up to this length.
constexpr std::size_t kMaxQuotedOutput = 2000;

/// A file descriptor closed on scope exit.
class Fd
{
  public:
    explicit Fd(int fd)
        : m_fd(fd)
    {
    }

    ~Fd()
    {
        if (m_fd >= 0)
        {
            close(m_fd);
        }
    }

    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int Get() const
    {
        return m_fd;
    }

  private:
    int m_fd;
};

std::string
ErrnoText(const std::string& what)
{
    return what + ": " + std::strerror(errno);
}

/// An unlinked temporary file, open for reading and writing; nothing of it stays on disk.
int
AnonymousFile()
{
    std::FILE* f = std::tmpfile();
    if (f == nullptr)
    {
        throw std::runtime_error(ErrnoText("RenderFigure: cannot create a temporary file"));
    }
    int fd = fcntl(fileno(f), F_DUPFD_CLOEXEC, 0);
    std::fclose(f);
    if (fd < 0)
    {
        throw std::runtime_error(ErrnoText("RenderFigure: fcntl"));
    }
    return fd;
}

std::string
ReadAll(int fd)
{
    std::string text;
    if (lseek(fd, 0, SEEK_SET) < 0)
    {
        return text;
    }
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0)
    {
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

/// What one gnuplot run printed (stdout and stderr together) and whether it exited with 0.
struct GnuplotRun
{
    bool ok = false;
    std::string status; ///< "exit status N" or "killed by signal N"
    std::string output;
};

/**
 * Runs gnuplot with the given arguments, its stdin read from stdinFd (which is rewound), its
 * stdout and stderr captured. gnuplot-iostream's own popen cannot report the exit status or
 * keep stderr off the terminal, so the process is started here.
 */
GnuplotRun
RunGnuplot(const std::vector<std::string>& args, int stdinFd)
{
    Fd out(AnonymousFile());
    if (lseek(stdinFd, 0, SEEK_SET) < 0 && errno != ESPIPE)
    {
        throw std::runtime_error(ErrnoText("RenderFigure: lseek"));
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>("gnuplot"));
    for (const auto& a : args)
    {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdinFd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out.Get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out.Get(), STDERR_FILENO);
    // cairo writes the PDF's dates in local time with the zone's offset ("+01'00'"): in UTC
    // they are "Z" everywhere, so FixPdfDates() gives the same bytes in every time zone.
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e)
    {
        if (std::strncmp(*e, "TZ=", 3) != 0)
        {
            env.emplace_back(*e);
        }
    }
    env.emplace_back("TZ=UTC");
    std::vector<char*> envp;
    for (auto& e : env)
    {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    pid_t pid;
    int rc = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
    {
        throw std::runtime_error(
            std::string("RenderFigure: cannot run gnuplot (") + std::strerror(rc) +
            (rc == ENOENT ? "): is it installed? (Debian: apt-get install gnuplot-nox)" : ")"));
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
    {
        if (errno != EINTR)
        {
            throw std::runtime_error(ErrnoText("RenderFigure: waitpid"));
        }
    }
    GnuplotRun run;
    run.output = ReadAll(out.Get());
    if (WIFEXITED(status))
    {
        run.ok = WEXITSTATUS(status) == 0;
        run.status = "exit status " + std::to_string(WEXITSTATUS(status));
    }
    else
    {
        run.status = "killed by signal " + std::to_string(WTERMSIG(status));
    }
    return run;
}

/// A gnuplot single-quoted string: literal except '' for a quote; control characters
/// (which would end the command) become spaces.
std::string
Quote(const std::string& text)
{
    std::string quoted = "'";
    for (char c : text)
    {
        if (c == '\'')
        {
            quoted += "''";
        }
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        {
            quoted += ' ';
        }
        else
        {
            quoted += c;
        }
    }
    return quoted + "'";
}

std::string
Number(double v)
{
    std::ostringstream os;
    os.imbue(std::locale::classic());
    os.precision(17);
    os << v;
    return os.str();
}

std::string
SeriesName(const Series& s, std::size_t i)
{
    return "series " + std::to_string(i) + (s.title.empty() ? "" : " ('" + s.title + "')");
}

void
CheckFinite(const std::vector<double>& values,
            const char* what,
            const Series& s,
            std::size_t i,
            bool nanAllowed)
{
    for (std::size_t k = 0; k < values.size(); ++k)
    {
        if (std::isinf(values[k]) || (!nanAllowed && std::isnan(values[k])))
        {
            throw std::invalid_argument("RenderFigure: " + SeriesName(s, i) + ": " + what + "[" +
                                        std::to_string(k) + "] is " + Number(values[k]));
        }
    }
}

/// Pixels as PDF inches, 1000 pixels to 6 inches ("6", "3.6").
std::string
Inches(int pixels)
{
    std::ostringstream os;
    os.imbue(std::locale::classic());
    os << pixels * 6 / 1000;
    int rest = pixels * 6 % 1000;
    if (rest != 0)
    {
        std::string digits = std::to_string(1000 + rest).substr(1);
        digits.erase(digits.find_last_not_of('0') + 1);
        os << "." << digits;
    }
    return os.str();
}

bool
IsColour(const std::string& c)
{
    if (c.size() != 7 || c[0] != '#')
    {
        return false;
    }
    for (std::size_t k = 1; k < c.size(); ++k)
    {
        if (!std::isxdigit(static_cast<unsigned char>(c[k])))
        {
            return false;
        }
    }
    return true;
}

/// "set xtics (...)" for categorical ticks.
std::string
TicsCommand(const char* axis, const std::vector<Tic>& tics)
{
    std::string cmd = std::string("set ") + axis + " (";
    for (std::size_t k = 0; k < tics.size(); ++k)
    {
        cmd += (k == 0 ? "" : ", ") + Quote(tics[k].text) + " " + Number(tics[k].at);
    }
    return cmd + ")";
}

void
Validate(const Figure& fig)
{
    if (fig.series.empty())
    {
        throw std::invalid_argument("RenderFigure: figure '" + fig.title + "' has no series");
    }
    bool anyPoints = false;
    for (std::size_t i = 0; i < fig.series.size(); ++i)
    {
        const Series& s = fig.series[i];
        const std::string name = SeriesName(s, i);
        if (s.x.size() != s.y.size())
        {
            throw std::invalid_argument("RenderFigure: " + name + " has " +
                                        std::to_string(s.x.size()) + " x values but " +
                                        std::to_string(s.y.size()) + " y values");
        }
        if (s.yLow.empty() != s.yHigh.empty())
        {
            throw std::invalid_argument("RenderFigure: " + name +
                                        " has only one of yLow and yHigh; give both or neither");
        }
        if (!s.yLow.empty() && (s.yLow.size() != s.x.size() || s.yHigh.size() != s.x.size()))
        {
            throw std::invalid_argument("RenderFigure: " + name + " has " +
                                        std::to_string(s.x.size()) + " points but " +
                                        std::to_string(s.yLow.size()) + " yLow and " +
                                        std::to_string(s.yHigh.size()) + " yHigh values");
        }
        if (!s.labels.empty() && s.labels.size() != s.x.size())
        {
            throw std::invalid_argument("RenderFigure: " + name + " has " +
                                        std::to_string(s.x.size()) + " points but " +
                                        std::to_string(s.labels.size()) + " labels");
        }
        if (!s.colour.empty() && !IsColour(s.colour))
        {
            throw std::invalid_argument("RenderFigure: " + name + ": colour '" + s.colour +
                                        "' is not of the form #RRGGBB");
        }
        if (s.style != Series::Style::Lines && !s.yLow.empty())
        {
            throw std::invalid_argument("RenderFigure: " + name +
                                        ": error bars are drawn only on lines");
        }
        if (s.pointType < 0 || s.pointType > 15 || !(s.pointSize >= 0 && s.pointSize <= 20))
        {
            throw std::invalid_argument("RenderFigure: " + name +
                                        ": pointType must be 0-15 and pointSize 0-20");
        }
        CheckFinite(s.x, "x", s, i, false);
        CheckFinite(s.y, "y", s, i, true);
        CheckFinite(s.yLow, "yLow", s, i, true);
        CheckFinite(s.yHigh, "yHigh", s, i, true);
        if (fig.logX)
        {
            for (std::size_t k = 0; k < s.x.size(); ++k)
            {
                if (s.x[k] <= 0)
                {
                    throw std::invalid_argument("RenderFigure: logX but " + name + ": x[" +
                                                std::to_string(k) + "] is " + Number(s.x[k]));
                }
            }
        }
        anyPoints = anyPoints || !s.x.empty();
    }
    if (!anyPoints)
    {
        throw std::invalid_argument("RenderFigure: figure '" + fig.title +
                                    "': no series has any points");
    }
    if (std::isinf(fig.yMin) || std::isinf(fig.yMax) ||
        (!std::isnan(fig.yMin) && !std::isnan(fig.yMax) && !(fig.yMin < fig.yMax)))
    {
        throw std::invalid_argument("RenderFigure: y range [" + Number(fig.yMin) + ", " +
                                    Number(fig.yMax) + "] is empty or infinite");
    }
    if (std::isinf(fig.xMin) || std::isinf(fig.xMax) ||
        (!std::isnan(fig.xMin) && !std::isnan(fig.xMax) && !(fig.xMin < fig.xMax)))
    {
        throw std::invalid_argument("RenderFigure: x range [" + Number(fig.xMin) + ", " +
                                    Number(fig.xMax) + "] is empty or infinite");
    }
    if (fig.logX && (fig.xMin <= 0 || fig.xMax <= 0))
    {
        throw std::invalid_argument("RenderFigure: logX needs xMin and xMax > 0");
    }
    for (const Note& n : fig.notes)
    {
        if (!std::isfinite(n.x) || !std::isfinite(n.y))
        {
            throw std::invalid_argument("RenderFigure: note '" + n.text + "' is not at a finite "
                                        "position");
        }
    }
    for (const auto* tics : {&fig.xTics, &fig.yTics})
    {
        for (const Tic& t : *tics)
        {
            if (!std::isfinite(t.at))
            {
                throw std::invalid_argument("RenderFigure: tic '" + t.text + "' is at " +
                                            Number(t.at));
            }
        }
    }
    if (!(fig.barWidth > 0) || !std::isfinite(fig.barWidth) || !std::isfinite(fig.xTicAngle))
    {
        throw std::invalid_argument("RenderFigure: barWidth must be > 0 and xTicAngle finite");
    }
    if (fig.width < 100 || fig.width > 10000 || fig.height < 100 || fig.height > 10000)
    {
        throw std::invalid_argument("RenderFigure: size " + std::to_string(fig.width) + "x" +
                                    std::to_string(fig.height) +
                                    " is outside 100-10000 pixels each way");
    }
    if (fig.logY && (fig.yMin <= 0 || fig.yMax <= 0))
    {
        throw std::invalid_argument("RenderFigure: logY needs yMin and yMax > 0");
    }
}

/// One output file: its final name, the temporary it is written to, the gnuplot terminal.
struct Output
{
    std::string path;
    std::string temporary;
    std::string terminal;
};

/// Reserves temporary names next to the outputs and removes them unless Commit() renamed them.
class Outputs
{
  public:
    explicit Outputs(std::vector<Output> outputs)
        : m_outputs(std::move(outputs))
    {
        static std::atomic<unsigned> counter{0};
        for (auto& o : m_outputs)
        {
            for (int attempt = 0;; ++attempt)
            {
                std::string name =
                    o.path + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
                // O_EXCL reserves the name; 0666 lets the umask decide the final mode, as for
                // any file gnuplot creates itself.
                int fd = open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
                if (fd >= 0)
                {
                    close(fd);
                    o.temporary = name;
                    // Removed if a signal ends the process before Commit() or the destructor.
                    m_guards.push_back(std::make_unique<SignalCleanupGuard>(name));
                    break;
                }
                if (errno != EEXIST || attempt == 100)
                {
                    throw std::runtime_error(ErrnoText("RenderFigure: cannot create " + name));
                }
            }
        }
    }

    ~Outputs()
    {
        for (const auto& o : m_outputs)
        {
            if (!o.temporary.empty())
            {
                unlink(o.temporary.c_str());
            }
        }
    }

    Outputs(const Outputs&) = delete;
    Outputs& operator=(const Outputs&) = delete;

    const std::vector<Output>& Get() const
    {
        return m_outputs;
    }

    /// Renames every temporary to its final name.
    std::vector<std::string> Commit()
    {
        std::vector<std::string> written;
        for (auto& o : m_outputs)
        {
            if (rename(o.temporary.c_str(), o.path.c_str()) != 0)
            {
                throw std::runtime_error(
                    ErrnoText("RenderFigure: cannot rename " + o.temporary + " to " + o.path));
            }
            o.temporary.clear();
            written.push_back(o.path);
        }
        return written;
    }

  private:
    std::vector<Output> m_outputs;
    std::vector<std::unique_ptr<SignalCleanupGuard>> m_guards;
};

/// One plot clause: a series drawn one way.
struct Clause
{
    std::size_t series;
    bool errorBars;
    bool titled;
};

/// The gnuplot script: settings, then each output with the data inline (send1d).
void
WriteScript(Gnuplot& gp, const Figure& fig, const std::vector<Output>& outputs)
{
    gp << "set encoding utf8\n";
    for (std::size_t i = 0; i < std::size(kColours); ++i)
    {
        gp << "set linetype " << i + 1 << " linecolor rgb '" << kColours[i]
           << "' linewidth 2 pointtype " << (i % 7) + 4 << " pointsize 1\n";
    }
    gp << "set linetype cycle " << std::size(kColours) << "\n";
    if (!fig.title.empty())
    {
        gp << "set title " << Quote(fig.title) << " font ',14' noenhanced\n";
    }
    gp << "set xlabel " << Quote(fig.xLabel) << " noenhanced\n";
    gp << "set ylabel " << Quote(fig.yLabel) << " noenhanced\n";
    gp << "set grid xtics ytics linecolor rgb '#c8c8c8' linewidth 1 dashtype 1\n";
    if (fig.keyInside)
    {
        gp << "set key top right inside vertical noenhanced samplen 2 spacing 1.1 opaque box "
              "linecolor rgb '#c8c8c8'\n";
    }
    else
    {
        gp << "set key below noenhanced samplen 3 spacing 1.2\n";
    }
    gp << "set border 3\nset xtics nomirror\nset ytics nomirror\n";
    gp << "set errorbars small\n";
    if (!fig.xTics.empty())
    {
        gp << TicsCommand("xtics", fig.xTics) << "\n";
        gp << "set grid noxtics\n";
    }
    if (fig.xTicAngle != 0)
    {
        gp << "set xtics rotate by " << Number(-fig.xTicAngle) << " left\n";
    }
    if (!fig.yTics.empty())
    {
        gp << TicsCommand("ytics", fig.yTics) << "\n";
    }
    gp << "set style fill solid 0.85 border linecolor rgb '#404040'\n";
    if (fig.logX)
    {
        gp << "set logscale x\n";
    }
    if (fig.logY)
    {
        gp << "set logscale y\n";
    }
    gp << "set xrange [" << (std::isnan(fig.xMin) ? "*" : Number(fig.xMin)) << ":"
       << (std::isnan(fig.xMax) ? "*" : Number(fig.xMax)) << "]\n";
    gp << "set yrange [" << (std::isnan(fig.yMin) ? "*" : Number(fig.yMin)) << ":"
       << (std::isnan(fig.yMax) ? "*" : Number(fig.yMax)) << "]\n";
    // Point labels: "set label" keeps any text literal (no data-file quoting rules).
    int labelTag = 0;
    for (const Series& s : fig.series)
    {
        for (std::size_t k = 0; k < s.labels.size(); ++k)
        {
            if (s.labels[k].empty() || std::isnan(s.y[k]))
            {
                continue;
            }
            gp << "set label " << ++labelTag << " " << Quote(s.labels[k]) << " at "
               << Number(s.x[k]) << "," << Number(s.y[k]);
            if (s.style == Series::Style::Points || s.style == Series::Style::Cells)
            {
                gp << " center front textcolor rgb '#ffffff' font ',12'";
            }
            else
            {
                gp << " center front offset 0,0.8 font ',10'";
            }
            gp << "\n";
        }
    }

    for (const Note& n : fig.notes)
    {
        gp << "set label " << ++labelTag << " " << Quote(n.text) << " at " << Number(n.x) << ","
           << Number(n.y) << " left front font ',11'\n";
    }

    std::vector<Clause> clauses;
    for (std::size_t i = 0; i < fig.series.size(); ++i)
    {
        const Series& s = fig.series[i];
        if (s.x.empty())
        {
            continue; // nothing to draw; gnuplot would warn about an empty data block
        }
        bool bars = !s.yLow.empty();
        if (fig.steps && bars)
        {
            clauses.push_back({i, false, true});
            clauses.push_back({i, true, false});
        }
        else
        {
            clauses.push_back({i, bars, true});
        }
    }

    std::ostringstream plot;
    plot << "plot ";
    for (std::size_t c = 0; c < clauses.size(); ++c)
    {
        const Clause& clause = clauses[c];
        const Series& s = fig.series[clause.series];
        plot << (c == 0 ? "" : ", ") << "'-' using 1:2" << (clause.errorBars ? ":3:4" : "");
        if (s.style == Series::Style::Bars)
        {
            plot << ":(" << Number(fig.barWidth) << ")";
        }
        if (s.style == Series::Style::Cells)
        {
            const std::string half = Number(fig.barWidth / 2);
            plot << ":($1-" << half << "):($1+" << half << "):($2-" << half << "):($2+" << half
                 << ")";
        }
        plot << " with ";
        if (s.style == Series::Style::Cells)
        {
            plot << "boxxyerror";
        }
        else if (s.style == Series::Style::Points)
        {
            plot << "points";
        }
        else if (s.style == Series::Style::Bars)
        {
            plot << "boxes";
        }
        else if (clause.errorBars)
        {
            plot << (fig.steps ? "yerrorbars" : "yerrorlines");
        }
        else if (fig.steps)
        {
            plot << "steps";
        }
        else
        {
            plot << (s.x.size() <= kMaxPointsForMarkers && !s.dashed ? "linespoints" : "lines");
        }
        plot << " linetype " << clause.series % std::size(kColours) + 1;
        if (!s.colour.empty())
        {
            plot << " linecolor rgb '" << s.colour << "'";
        }
        if (s.pointType > 0)
        {
            plot << " pointtype " << s.pointType;
        }
        if (s.pointSize > 0)
        {
            plot << " pointsize " << Number(s.pointSize);
        }
        if (s.dashed)
        {
            plot << " dashtype 2";
        }
        if (clause.titled && !s.title.empty())
        {
            plot << " title " << Quote(s.title);
        }
        else
        {
            plot << " notitle";
        }
    }

    for (const auto& o : outputs)
    {
        gp << "set terminal " << o.terminal << "\n";
        gp << "set output " << Quote(o.temporary) << "\n";
        gp << plot.str() << "\n";
        for (const Clause& clause : clauses)
        {
            const Series& s = fig.series[clause.series];
            if (clause.errorBars && s.style == Series::Style::Lines)
            {
                gp.send1d(std::forward_as_tuple(s.x, s.y, s.yLow, s.yHigh));
            }
            else
            {
                gp.send1d(std::forward_as_tuple(s.x, s.y));
            }
        }
        gp << "unset output\n";
    }
    gp << std::flush;
}

/// Replaces the digits of the PDF's /CreationDate and /ModDate with a fixed date (2000-01-01
/// 00:00:00), keeping every byte offset so the cross-reference table stays valid.
void
FixPdfDates(const std::string& path)
{
    std::string pdf;
    {
        std::ifstream in(path, std::ios::binary);
        pdf.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (!in && !in.eof())
        {
            throw std::runtime_error("RenderFigure: cannot read " + path);
        }
    }
    const std::string fixed = "20000101000000";
    bool changed = false;
    for (const char* key : {"/CreationDate (D:", "/ModDate (D:"})
    {
        for (auto pos = pdf.find(key); pos != std::string::npos; pos = pdf.find(key, pos))
        {
            pos += std::strlen(key);
            for (std::size_t k = 0; pos < pdf.size() && pdf[pos] != ')'; ++pos, ++k)
            {
                if (std::isdigit(static_cast<unsigned char>(pdf[pos])))
                {
                    pdf[pos] = k < fixed.size() ? fixed[k] : '0';
                    changed = true;
                }
            }
        }
    }
    if (changed)
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << pdf;
        out.close();
        if (!out)
        {
            throw std::runtime_error("RenderFigure: cannot rewrite " + path);
        }
    }
}

} // namespace

bool
GnuplotHasPdf()
{
    static const bool hasPdf = [] {
        Fd devNull(open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (devNull.Get() < 0)
        {
            throw std::runtime_error(ErrnoText("RenderFigure: cannot open /dev/null"));
        }
        GnuplotRun run = RunGnuplot({"-e", "set terminal"}, devNull.Get());
        if (!run.ok)
        {
            throw std::runtime_error("RenderFigure: 'gnuplot -e \"set terminal\"' failed (" +
                                     run.status + "): " + run.output.substr(0, kMaxQuotedOutput));
        }
        return run.output.find(" pdfcairo ") != std::string::npos;
    }();
    return hasPdf;
}

std::vector<std::string>
RenderFigure(const Figure& fig, const std::string& stem)
{
    Validate(fig);
    const std::string font = "font 'Sans,12'";
    const std::string size = std::to_string(fig.width) + "," + std::to_string(fig.height);
    std::vector<Output> wanted{
        {stem + ".png", "", "pngcairo size " + size + " noenhanced " + font},
        {stem + ".svg", "", "svg size " + size + " dynamic noenhanced " + font},
    };
    if (GnuplotHasPdf())
    {
        // 1000 pixels are 6 inches, as before.
        wanted.push_back({stem + ".pdf", "",
                          "pdfcairo size " + Inches(fig.width) + "in," + Inches(fig.height) +
                              "in noenhanced " + font});
    }
    Outputs outputs(std::move(wanted));

    Fd script(AnonymousFile());
    {
        // gnuplot-iostream closes the FILE it is given; script keeps its own descriptor.
        int fd = fcntl(script.Get(), F_DUPFD_CLOEXEC, 0);
        std::FILE* f = fd < 0 ? nullptr : fdopen(fd, "w");
        if (f == nullptr)
        {
            if (fd >= 0)
            {
                close(fd);
            }
            throw std::runtime_error(ErrnoText("RenderFigure: cannot open the script file"));
        }
        Gnuplot gp(f);
        gp.imbue(std::locale::classic()); // gnuplot reads numbers with a decimal point
        WriteScript(gp, fig, outputs.Get());
        if (!gp)
        {
            throw std::runtime_error("RenderFigure: cannot write the gnuplot script");
        }
    }

    GnuplotRun run = RunGnuplot({}, script.Get());
    if (!run.ok)
    {
        throw std::runtime_error("RenderFigure: gnuplot failed rendering '" + stem + "' (" +
                                 run.status + "):\n" + run.output.substr(0, kMaxQuotedOutput));
    }
    for (const auto& o : outputs.Get())
    {
        struct stat st;
        if (stat(o.temporary.c_str(), &st) != 0 || st.st_size == 0)
        {
            throw std::runtime_error("RenderFigure: gnuplot exited normally but wrote nothing to " +
                                     o.temporary + ":\n" + run.output.substr(0, kMaxQuotedOutput));
        }
        if (o.path.size() > 4 && o.path.compare(o.path.size() - 4, 4, ".pdf") == 0)
        {
            FixPdfDates(o.temporary);
        }
    }
    return outputs.Commit();
}

} // namespace portlab
