// The eigw command line: subcommands, each a function of its arguments and output streams so
// tests can run them in process. Not thread-safe (a command owns its streams while it runs).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace gw::cli {

// Runs `eigw ARGS...` (args excludes the program name) and returns the process exit code:
// 0 success, 1 the input was rejected (invalid invoice), 2 usage error (unknown command or flag,
// missing argument), 3 file could not be read or written, 4 internal error.
int RunEigw(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

int RunConvert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunValidate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunSign(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunVerify(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunCerts(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunServe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunTenants(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunKeys(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunUsers(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunDirectory(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunRecipients(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace gw::cli
