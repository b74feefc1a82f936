// The eigw program: the gateway's command line.
#include <iostream>

#include "formats/xml/xml_document.h"
#include "gateway/cli/command.h"
#include "gateway/process/allocator.h"

int main(int argc, char** argv) {
  gw::ConfigureAllocatorForThroughput();
  gw::formats::xml::InitializeXmlLibrary();  // before any thread uses libxml2
  std::vector<std::string> args(argv + 1, argv + argc);
  return gw::cli::RunEigw(args, std::cout, std::cerr);
}
