/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "plots/figure.h"

#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace portlab
{
namespace
{

/// A fresh directory under TMPDIR, removed with its files afterwards.
class TempDir
{
  public:
    TempDir()
    {
        const char* base = std::getenv("TMPDIR");
        std::string name = std::string(base && *base ? base : "/tmp") + "/portlab-plots-XXXXXX";
        if (mkdtemp(name.data()) == nullptr)
        {
            throw std::runtime_error("mkdtemp failed");
        }
        m_path = name;
    }

    ~TempDir()
    {
        for (const auto& f : Files())
        {
            unlink((m_path + "/" + f).c_str());
        }
        rmdir(m_path.c_str());
    }

    const std::string& Path() const
    {
        return m_path;
    }

    std::set<std::string> Files() const
    {
        std::set<std::string> files;
        if (DIR* d = opendir(m_path.c_str()))
        {
            while (dirent* e = readdir(d))
            {
                std::string name = e->d_name;
                if (name != "." && name != "..")
                {
                    files.insert(name);
                }
            }
            closedir(d);
        }
        return files;
    }

  private:
    std::string m_path;
};

std::string
Slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Figure
SimpleFigure()
{
    Figure fig;
    fig.title = "Ports in use";
    fig.xLabel = "time (s)";
    fig.yLabel = "ephemeral ports in use (count)";
    Series a;
    a.title = "ip_local_port_range 32768-60999";
    for (int i = 0; i < 50; ++i)
    {
        a.x.push_back(i * 0.5);
        a.y.push_back(i * i % 17);
    }
    Series b;
    b.title = "it's \"quoted\" & <tagged>";
    b.x = {0, 10, 20};
    b.y = {3, 5, 4};
    fig.series = {a, b};
    return fig;
}

std::set<std::string>
Expected(const std::string& stem)
{
    std::set<std::string> files{stem + ".png", stem + ".svg"};
    if (GnuplotHasPdf())
    {
        files.insert(stem + ".pdf");
    }
    return files;
}

/// The message of the std::invalid_argument that RenderFigure throws, or "" if none.
std::string
InvalidMessage(const Figure& fig, const std::string& stem)
{
    try
    {
        RenderFigure(fig, stem);
    }
    catch (const std::invalid_argument& e)
    {
        return e.what();
    }
    return "";
}

TEST(Figure, WritesPngSvgAndPdfWithTitleLabelsAndLiteralSeriesTitles)
{
    TempDir dir;
    const std::string stem = dir.Path() + "/ports";
    auto written = RenderFigure(SimpleFigure(), stem);
    ASSERT_GE(written.size(), 2u);
    EXPECT_EQ(written[0], stem + ".png");
    EXPECT_EQ(written[1], stem + ".svg");
    EXPECT_EQ(dir.Files(), Expected("ports"));

    std::string png = Slurp(stem + ".png");
    ASSERT_GE(png.size(), 8u);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));

    std::string svg = Slurp(stem + ".svg");
    EXPECT_NE(svg.find("Ports in use"), std::string::npos);
    EXPECT_NE(svg.find("time (s)"), std::string::npos);
    EXPECT_NE(svg.find("ephemeral ports in use (count)"), std::string::npos);
    // Underscores are not turned into subscripts, quotes and markup survive (& and < escaped).
    EXPECT_NE(svg.find("ip_local_port_range 32768-60999"), std::string::npos);
    EXPECT_NE(svg.find("it's \"quoted\" &amp; &lt;tagged>"), std::string::npos)
        << "svg series title not literal";

    if (GnuplotHasPdf())
    {
        std::string pdf = Slurp(stem + ".pdf");
        EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
        EXPECT_NE(pdf.find("/CreationDate (D:20000101000000"), std::string::npos);
    }
}

TEST(Figure, SameFigureRendersByteIdentical)
{
    TempDir dir;
    Figure fig = SimpleFigure();
    fig.steps = true;
    RenderFigure(fig, dir.Path() + "/one");
    sleep(1); // a timestamp in the output would now differ
    RenderFigure(fig, dir.Path() + "/two");
    for (const char* ext : {".png", ".svg", ".pdf"})
    {
        std::string one = Slurp(dir.Path() + "/one" + ext);
        std::string two = Slurp(dir.Path() + "/two" + ext);
        if (std::string(ext) == ".pdf" && !GnuplotHasPdf())
        {
            continue;
        }
        EXPECT_FALSE(one.empty()) << ext;
        EXPECT_TRUE(one == two) << ext << " differs between two renders";
    }
}

TEST(Figure, FiguresAreByteIdenticalInEveryTimeZone)
{
    if (!GnuplotHasPdf())
    {
        GTEST_SKIP() << "this gnuplot writes no PDF, the only format with a date";
    }
    TempDir dir;
    const char* old = std::getenv("TZ");
    std::string saved = old != nullptr ? old : "";
    std::map<std::string, std::string> pdfs;
    for (const char* tz : {"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"})
    {
        setenv("TZ", tz, 1);
        std::string stem = dir.Path() + "/" + std::to_string(pdfs.size());
        RenderFigure(SimpleFigure(), stem);
        pdfs[tz] = Slurp(stem + ".pdf");
    }
    old != nullptr ? setenv("TZ", saved.c_str(), 1) : unsetenv("TZ");
    for (const auto& [tz, pdf] : pdfs)
    {
        EXPECT_TRUE(pdf == pdfs["UTC"])
            << "the PDF drawn with TZ=" << tz
            << " should be byte-identical to the one drawn in UTC (its dates are fixed)";
    }
}

TEST(Figure, ErrorBarsLogScalesAndFixedRangeRender)
{
    TempDir dir;
    Figure fig;
    fig.xLabel = "connections per second (1/s)";
    fig.yLabel = "connect() latency (ms)";
    fig.logX = true;
    fig.logY = true;
    fig.yMin = 0.1;
    fig.yMax = 1000;
    Series s;
    s.title = "mean, 95% CI";
    s.x = {10, 100, 1000, 10000};
    s.y = {1, 2, 8, 120};
    s.yLow = {0.8, 1.5, 6, 90};
    s.yHigh = {1.2, 2.5, 10, 150};
    fig.series = {s};
    const std::string stem = dir.Path() + "/latency";
    RenderFigure(fig, stem);
    EXPECT_EQ(dir.Files(), Expected("latency"));
    EXPECT_NE(Slurp(stem + ".svg").find("mean, 95% CI"), std::string::npos);

    fig.logX = fig.logY = false;
    fig.steps = true; // steps with error bars: a step line plus bars in the same colour
    RenderFigure(fig, dir.Path() + "/steps");
    EXPECT_EQ(Slurp(dir.Path() + "/steps.png").substr(1, 3), "PNG");
}

TEST(Figure, InvalidFiguresThrowNamingTheProblem)
{
    TempDir dir;
    const std::string stem = dir.Path() + "/bad";
    Figure fig = SimpleFigure();

    Figure empty = fig;
    empty.series.clear();
    EXPECT_NE(InvalidMessage(empty, stem).find("has no series"), std::string::npos);

    Figure mismatched = fig;
    mismatched.series[1].y.pop_back();
    std::string m = InvalidMessage(mismatched, stem);
    EXPECT_NE(m.find("series 1"), std::string::npos) << m;
    EXPECT_NE(m.find("3 x values but 2 y values"), std::string::npos) << m;

    Figure halfBars = fig;
    halfBars.series[0].yLow = halfBars.series[0].y;
    EXPECT_NE(InvalidMessage(halfBars, stem).find("only one of yLow and yHigh"), std::string::npos);

    Figure shortBars = fig;
    shortBars.series[1].yLow = {1, 2};
    shortBars.series[1].yHigh = {1, 2};
    EXPECT_NE(InvalidMessage(shortBars, stem).find("3 points but 2 yLow"), std::string::npos);

    Figure noPoints = fig;
    for (auto& s : noPoints.series)
    {
        s.x.clear();
        s.y.clear();
    }
    EXPECT_NE(InvalidMessage(noPoints, stem).find("no series has any points"), std::string::npos);

    Figure infinite = fig;
    infinite.series[0].y[3] = INFINITY;
    EXPECT_NE(InvalidMessage(infinite, stem).find("y[3] is inf"), std::string::npos);

    Figure logZero = fig;
    logZero.logX = true; // series 0 starts at x = 0
    EXPECT_NE(InvalidMessage(logZero, stem).find("logX"), std::string::npos);

    Figure range = fig;
    range.yMin = 5;
    range.yMax = 5;
    EXPECT_NE(InvalidMessage(range, stem).find("y range"), std::string::npos);

    EXPECT_TRUE(dir.Files().empty());
}

/// A figure with every style: cells with labels, bars with labels, points, a dashed line,
/// categorical ticks on both axes and a note.
Figure
CategoricalFigure()
{
    Figure fig;
    fig.title = "bind() results";
    fig.xLabel = "process";
    fig.yLabel = "";
    Series ok;
    ok.title = "bind() ok";
    ok.style = Series::Style::Cells;
    ok.colour = "#009E73";
    ok.x = {0, 1};
    ok.y = {1, 1};
    ok.labels = {"ok", "ok"};
    Series inUse;
    inUse.title = "bind() EADDRINUSE";
    inUse.style = Series::Style::Cells;
    inUse.colour = "#D55E00";
    inUse.x = {0};
    inUse.y = {0};
    inUse.labels = {"EADDRINUSE"};
    Series bars;
    bars.title = "share";
    bars.style = Series::Style::Bars;
    bars.x = {1};
    bars.y = {0.2};
    bars.labels = {"20%"};
    Series marks;
    marks.title = "attempts";
    marks.style = Series::Style::Points;
    marks.pointType = 7;
    marks.pointSize = 1.5;
    marks.x = {0.5};
    marks.y = {0.5};
    Series even;
    even.title = "even share";
    even.dashed = true;
    even.x = {-0.5, 1.5};
    even.y = {0.5, 0.5};
    fig.series = {ok, inUse, bars, marks, even};
    fig.xTics = {{0, "process 1"}, {1, "process 2"}};
    fig.yTics = {{0, "same_addr addr1:80"}, {1, "group *:8080"}};
    fig.notes = {{-0.4, 1.45, "a note with_underscores"}};
    fig.barWidth = 0.9;
    fig.xMin = -0.5;
    fig.xMax = 1.5;
    fig.yMin = -0.5;
    fig.yMax = 1.5;
    fig.keyInside = true;
    fig.xTicAngle = 20;
    fig.width = 800;
    fig.height = 400;
    return fig;
}

TEST(Figure, CellsBarsPointsNotesAndCategoricalTicksRenderByteIdentical)
{
    TempDir dir;
    RenderFigure(CategoricalFigure(), dir.Path() + "/one");
    RenderFigure(CategoricalFigure(), dir.Path() + "/two");
    EXPECT_EQ(dir.Files().size(), Expected("one").size() * 2);
    for (const char* ext : {".png", ".svg", ".pdf"})
    {
        if (std::string(ext) == ".pdf" && !GnuplotHasPdf())
        {
            continue;
        }
        EXPECT_EQ(Slurp(dir.Path() + "/one" + ext), Slurp(dir.Path() + "/two" + ext)) << ext;
    }
    std::string svg = Slurp(dir.Path() + "/one.svg");
    for (const char* text : {"EADDRINUSE", "same_addr addr1:80", "process 2", "20%",
                             "a note with_underscores", "even share", "width=\"800\""})
    {
        EXPECT_NE(svg.find(text), std::string::npos) << text << " should be drawn";
    }
    EXPECT_NE(svg.find("rgb(213,  94,   0)"), std::string::npos) << "a series' own colour";
    if (GnuplotHasPdf())
    {
        // 800 x 400 pixels: 4.8 x 2.4 inches, 345 x 172 points.
        EXPECT_NE(Slurp(dir.Path() + "/one.pdf").find("/MediaBox [ 0 0 345 172 ]"),
                  std::string::npos);
    }
}

TEST(Figure, InvalidStylesThrowNamingTheProblem)
{
    TempDir dir;
    const std::string stem = dir.Path() + "/bad";
    Figure labels = CategoricalFigure();
    labels.series[0].labels = {"only one"};
    EXPECT_NE(InvalidMessage(labels, stem).find("labels"), std::string::npos);
    Figure colour = CategoricalFigure();
    colour.series[1].colour = "red'; system 'true";
    EXPECT_NE(InvalidMessage(colour, stem).find("#RRGGBB"), std::string::npos);
    Figure xrange = CategoricalFigure();
    xrange.xMax = -1;
    EXPECT_NE(InvalidMessage(xrange, stem).find("x range"), std::string::npos);
    Figure size = CategoricalFigure();
    size.width = 5;
    EXPECT_NE(InvalidMessage(size, stem).find("size"), std::string::npos);
    Figure bars = CategoricalFigure();
    bars.series[2].yLow = {0.1};
    bars.series[2].yHigh = {0.3};
    EXPECT_NE(InvalidMessage(bars, stem).find("error bars"), std::string::npos);
    Figure note = CategoricalFigure();
    note.notes[0].x = NAN;
    EXPECT_NE(InvalidMessage(note, stem).find("note"), std::string::npos);
    EXPECT_TRUE(dir.Files().empty());
}

TEST(Figure, NanLeavesAGapAndEmptySeriesAreSkipped)
{
    TempDir dir;
    Figure fig = SimpleFigure();
    fig.series[0].y[10] = NAN;
    Series never;
    never.title = "never happened";
    fig.series.push_back(never);
    RenderFigure(fig, dir.Path() + "/gaps");
    EXPECT_EQ(dir.Files(), Expected("gaps"));
}

TEST(Figure, MissingDirectoryThrowsAndLeavesNothing)
{
    TempDir dir;
    try
    {
        RenderFigure(SimpleFigure(), dir.Path() + "/no/such/dir/fig");
        FAIL() << "no exception";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("no/such/dir/fig.png"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(dir.Files().empty());
}

TEST(Figure, ReadOnlyDirectoryThrowsAndLeavesNothing)
{
    if (geteuid() == 0)
    {
        GTEST_SKIP() << "root writes into read-only directories";
    }
    TempDir dir;
    ASSERT_EQ(chmod(dir.Path().c_str(), 0555), 0);
    EXPECT_THROW(RenderFigure(SimpleFigure(), dir.Path() + "/fig"), std::runtime_error);
    chmod(dir.Path().c_str(), 0755);
    EXPECT_TRUE(dir.Files().empty());
}

TEST(Figure, GnuplotFailureIsQuotedAndLeavesNothing)
{
    GnuplotHasPdf(); // the probe is cached before the fake gnuplot comes first in PATH
    TempDir bin;
    const std::string fake = bin.Path() + "/gnuplot";
    std::ofstream(fake) << "#!/bin/sh\necho 'line 7: boom' >&2\nexit 1\n";
    ASSERT_EQ(chmod(fake.c_str(), 0755), 0);
    TempDir dir;
    const char* old = std::getenv("PATH");
    std::string saved = old ? old : "";
    setenv("PATH", (bin.Path() + ":" + saved).c_str(), 1);
    std::string message;
    try
    {
        RenderFigure(SimpleFigure(), dir.Path() + "/fig");
    }
    catch (const std::runtime_error& e)
    {
        message = e.what();
    }
    setenv("PATH", saved.c_str(), 1);
    EXPECT_NE(message.find("gnuplot failed"), std::string::npos) << message;
    EXPECT_NE(message.find("exit status 1"), std::string::npos) << message;
    EXPECT_NE(message.find("line 7: boom"), std::string::npos) << message;
    EXPECT_TRUE(dir.Files().empty());
}

TEST(Figure, GnuplotWarningsStayOffTheTerminal)
{
    TempDir dir;
    Figure fig = SimpleFigure();
    Series one;
    one.title = "one point";
    one.x = {1};
    one.y = {2};
    fig.series = {one}; // gnuplot warns: empty x and y range
    testing::internal::CaptureStderr();
    testing::internal::CaptureStdout();
    RenderFigure(fig, dir.Path() + "/quiet");
    std::string out = testing::internal::GetCapturedStdout();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "");
    EXPECT_EQ(dir.Files(), Expected("quiet"));
}

TEST(Figure, RenameFailureThrowsAndRemovesTemporaries)
{
    // A directory where the PNG should go: the rename fails after gnuplot wrote everything.
    TempDir dir;
    const std::string stem = dir.Path() + "/fig";
    ASSERT_EQ(mkdir((stem + ".png").c_str(), 0755), 0);
    EXPECT_THROW(RenderFigure(SimpleFigure(), stem), std::runtime_error);
    rmdir((stem + ".png").c_str());
    EXPECT_TRUE(dir.Files().empty()) << *dir.Files().begin();
}

TEST(Figure, MissingGnuplotIsReported)
{
    GnuplotHasPdf(); // the probe is cached before gnuplot disappears from PATH
    TempDir dir;
    const char* old = std::getenv("PATH");
    std::string saved = old ? old : "";
    setenv("PATH", dir.Path().c_str(), 1);
    std::string message;
    try
    {
        RenderFigure(SimpleFigure(), dir.Path() + "/fig");
    }
    catch (const std::runtime_error& e)
    {
        message = e.what();
    }
    setenv("PATH", saved.c_str(), 1);
    EXPECT_NE(message.find("cannot run gnuplot"), std::string::npos) << message;
    EXPECT_TRUE(dir.Files().empty());
}

} // namespace
} // namespace portlab
