// Helpers shared by the eigw command tests: run the command line in process, read files.
#pragma once

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/cli/command.h"

namespace gw::cli::testing {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

inline CliRun Eigw(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = RunEigw(args, out, err);
  return {code, out.str(), err.str()};
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

}  // namespace gw::cli::testing
