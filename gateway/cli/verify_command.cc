// eigw verify [--trust CA.pem]... FILE...
#include <cstdlib>
#include <ostream>

#include "certs/keys/certificate.h"
#include "certs/keys/trust_store.h"
#include "certs/xmldsig/verifier.h"
#include "gateway/cli/command.h"

namespace gw::cli {
namespace {

constexpr const char* kVerifyUsage =
    "usage: eigw verify [--trust CA.pem]... FILE...\n"
    "\n"
    "Verifies every XML signature (XMLDSig, XAdES-BES/EPES) of each file under a strict policy:\n"
    "same-document references only, the whole document signed, no wrapping, no SHA-1 or MD5,\n"
    "a certificate that chains to a trusted CA and is valid (at xades:SigningTime, else now).\n"
    "Each signature is reported with every check it fails (docs/signing.md).\n"
    "  --trust FILE   CA certificates to trust (PEM or DER); may be repeated; default:\n"
    "                 $EIGW_TRUST (files separated by ':'); without any, no certificate is trusted\n"
    "Exit codes: 0 every file has signatures and all are valid, 1 some signature or file is\n"
    "invalid, 2 usage error, 3 a file could not be read, 4 internal error.\n";

}  // namespace

int RunVerify(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> trust_files, files;
  bool trust_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kVerifyUsage;
      return 0;
    }
    if (a == "--trust") {
      if (i + 1 >= args.size()) {
        err << "eigw verify: --trust needs a value\n" << kVerifyUsage;
        return 2;
      }
      trust_given = true;
      trust_files.push_back(args[++i]);
      continue;
    }
    if (!a.empty() && a[0] == '-') {
      err << "eigw verify: unknown option " << a << "\n" << kVerifyUsage;
      return 2;
    }
    files.push_back(a);
  }
  if (files.empty()) {
    err << "eigw verify: no file given\n" << kVerifyUsage;
    return 2;
  }
  if (!trust_given) {
    if (const char* env = std::getenv("EIGW_TRUST")) {
      std::string_view list = env;
      while (!list.empty()) {
        size_t colon = list.find(':');
        if (colon != 0) trust_files.emplace_back(list.substr(0, colon));
        if (colon == std::string_view::npos) break;
        list.remove_prefix(colon + 1);
      }
    }
  }
  auto trust = certs::TrustStore::Load(trust_files);
  if (!trust) {
    err << "eigw verify: " << trust.error().message() << "\n";
    return trust.error().code() == ErrorCode::kNotFound ? 3 : 2;
  }
  certs::VerifyOptions options;
  options.trust = &*trust;
  int code = 0;
  for (const auto& file : files) {
    auto xml = certs::ReadSmallFile(file);
    if (!xml) {
      err << "eigw verify: " << xml.error().message() << "\n";
      code = 3;
      continue;
    }
    auto report = certs::VerifyXml(*xml, options);
    if (!report) {
      out << "FAIL  " << file << ": " << report.error().message() << "\n";
      for (const auto& f : report.error().findings()) out << "      " << f.rule << ": " << f.message << "\n";
      if (report.error().code() == ErrorCode::kInternal) return 4;
      if (code == 0) code = 1;
      continue;
    }
    out << (report->valid() ? "PASS  " : "FAIL  ") << file << "  (" << report->signatures.size()
        << (report->signatures.size() == 1 ? " signature)\n" : " signatures)\n");
    for (const auto& f : report->document_failures) out << "      " << f.rule << ": " << f.message << "\n";
    for (size_t i = 0; i < report->signatures.size(); ++i) {
      const auto& s = report->signatures[i];
      out << "  signature " << (i + 1) << " " << (s.valid() ? "valid" : "INVALID") << "  " << s.profile;
      if (!s.signer.empty()) out << "  signer: " << s.signer;
      if (!s.signing_time.empty()) out << "  signed: " << s.signing_time;
      if (!s.policy_id.empty()) out << "  policy: " << s.policy_id;
      out << "\n      at " << s.location << "\n";
      for (const auto& f : s.failures) out << "      " << f.rule << ": " << f.message << "\n";
    }
    if (!report->valid() && code == 0) code = 1;
  }
  return code;
}

}  // namespace gw::cli
