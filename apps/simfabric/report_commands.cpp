// `simfabric report RESULT.h5 -o report.html`: the page is drawn by the Python package
// (simfabric.analysis.report, matplotlib); this command finds the package next to the
// program and hands over to the interpreter, so both entry points give the same page.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "apps/simfabric/commands.hpp"

namespace app {

namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::string result;
  std::string output;
  std::string title;
  bool allow_incomplete = false;
};

// The directory holding the `simfabric` package that belongs to this program: build/python
// in a build tree (build/bin/simfabric), the site directory of an installed package
// (simfabric/bin/simfabric). Empty when neither holds it: PYTHONPATH decides then.
std::string package_root() {
  std::error_code ec;
  const fs::path program = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path bin = program.parent_path();
  for (const fs::path& root : {bin.parent_path() / "python", bin.parent_path().parent_path()}) {
    if (fs::exists(root / "simfabric" / "analysis" / "report.py", ec)) return root.string();
  }
  return {};
}

int run_report(const ReportArgs& a) {
  const char* chosen = std::getenv("SIMFABRIC_PYTHON");
  const std::string python = chosen ? chosen : (fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  const std::string root = package_root();
  if (!root.empty()) {
    const char* old = std::getenv("PYTHONPATH");
    const std::string path = old && *old ? root + ":" + old : root;
    ::setenv("PYTHONPATH", path.c_str(), 1);
  }
  std::vector<std::string> args = {python, "-m", "simfabric.analysis.report", a.result, "-o", a.output};
  if (!a.title.empty()) args.insert(args.end(), {"--title", a.title});
  if (a.allow_incomplete) args.emplace_back("--allow-incomplete");
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  ::execvp(python.c_str(), argv.data());
  std::cerr << "simfabric report: cannot run " << python << " (set SIMFABRIC_PYTHON to a Python with numpy, "
            << "pandas, h5py and matplotlib)\n";
  return kExitFailure;
}

}  // namespace

void add_report_commands(CLI::App& app, Action& action) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* c = app.add_subcommand("report",
                                   "Write one self-contained HTML page (plots, tables, provenance) "
                                   "for a results file of run, sweep run or search");
  c->add_option("result", a->result, "results file (HDF5)")->required();
  c->add_option("-o,--output", a->output, "HTML file to write")->required();
  c->add_option("--title", a->title, "page title (default: the results file's name)");
  c->add_flag("--allow-incomplete", a->allow_incomplete, "report a run that did not complete");
  c->callback([a, &action] { action = [a] { return run_report(*a); }; });
}

}  // namespace app
