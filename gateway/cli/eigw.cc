#include <ostream>

#include "gateway/cli/command.h"
#include "formats/registry/builtin.h"

namespace gw::cli {
namespace {

constexpr const char* kUsage =
    "usage: eigw <command> [options]\n"
    "\n"
    "commands:\n"
    "  convert --to FORMAT INPUT [-o OUTPUT]   convert an invoice between JSON, UBL, CII and the\n"
    "                                          national formats ('eigw formats' lists them)\n"
    "  validate [--rules R] [--format F] FILE... check invoices: EN16931/Peppol rules for UBL and CII,\n"
    "                                          the format's own rules for the national formats\n"
    "  sign --profile P --key K [--cert C] IN [-o OUT]\n"
    "                                          sign XML: xmldsig, xades-bes, xades-epes\n"
    "  verify [--trust CA.pem] FILE...         verify every XML signature (strict policy)\n"
    "  certs list [--trust CA.pem] FILE...     certificates: subject, issuer, key, days left\n"
    "  serve --config FILE                     run the gateway server (docs/api.md)\n"
    "  tenants add|list ... --config FILE      tenants of the gateway\n"
    "  keys create|list|revoke ... --config F  API keys of a tenant\n"
    "  users add|list|remove ... --config F    users of the web pages (/ui/)\n"
    "  directory status|sync ... --config F    the recipient directory: sources, sync now\n"
    "  recipients lookup ID --config F         can this recipient receive e-invoices\n"
    "  formats                                 list the formats this build reads and writes\n"
    "  version                                 print the version\n"
    "  help                                    print this help\n"
    "\n"
    "Run 'eigw convert --help' for the options of a command.\n";

int ListFormats(std::ostream& out, std::ostream& err) {
  formats::FormatRegistry registry;
  auto st = formats::RegisterBuiltinFormats(registry);
  if (!st) {
    err << "eigw: " << st.error().ToString() << "\n";
    return 4;
  }
  for (const auto& name : registry.Names()) {
    const formats::FormatInfo* f = *registry.Find(name);
    out << name << "\t" << (f->read ? "read" : "") << (f->read && f->write ? "," : "")
        << (f->write ? "write" : "") << "\t" << f->description << "\n";
  }
  return 0;
}

}  // namespace

int RunEigw(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return 2;
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "convert") return RunConvert(rest, out, err);
  if (command == "validate") return RunValidate(rest, out, err);
  if (command == "sign") return RunSign(rest, out, err);
  if (command == "verify") return RunVerify(rest, out, err);
  if (command == "certs") return RunCerts(rest, out, err);
  if (command == "serve") return RunServe(rest, out, err);
  if (command == "tenants") return RunTenants(rest, out, err);
  if (command == "keys") return RunKeys(rest, out, err);
  if (command == "users") return RunUsers(rest, out, err);
  if (command == "directory") return RunDirectory(rest, out, err);
  if (command == "recipients") return RunRecipients(rest, out, err);
  if (command == "formats") return ListFormats(out, err);
  if (command == "version" || command == "--version") {
    out << "eigw 0.1.0\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    out << kUsage;
    return 0;
  }
  err << "eigw: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}

}  // namespace gw::cli
