// The eigw program: the gateway's command line.
#include <iostream>

#include "gateway/cli/command.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return gw::cli::RunEigw(args, std::cout, std::cerr);
}
