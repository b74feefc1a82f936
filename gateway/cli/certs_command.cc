// eigw certs list [--trust FILE]... FILE...
#include <ctime>
#include <ostream>

#include "certs/keys/certificate.h"
#include "certs/keys/trust_store.h"
#include "gateway/cli/command.h"

namespace gw::cli {
namespace {

constexpr const char* kCertsUsage =
    "usage: eigw certs list [--trust CA.pem]... FILE...\n"
    "\n"
    "Lists the certificates in each PEM or DER file: subject, issuer, key type, not-after and the\n"
    "days left, with WARN when fewer than 30 days remain and EXPIRED after. With --trust, each\n"
    "certificate is also checked against those CAs (now) and marked trusted or untrusted.\n"
    "Exit codes: 0 listed and none expired or untrusted, 1 some certificate is expired or\n"
    "untrusted, 2 usage error, 3 a file could not be read.\n";

constexpr long kWarnDays = 30;

}  // namespace

int RunCerts(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kCertsUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "list") {
    err << "eigw certs: unknown subcommand '" << args[0] << "'\n" << kCertsUsage;
    return 2;
  }
  std::vector<std::string> trust_files, files;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--trust") {
      if (i + 1 >= args.size()) {
        err << "eigw certs list: --trust needs a value\n";
        return 2;
      }
      trust_files.push_back(args[++i]);
    } else if (!args[i].empty() && args[i][0] == '-') {
      err << "eigw certs list: unknown option " << args[i] << "\n" << kCertsUsage;
      return 2;
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    err << "eigw certs list: no file given\n" << kCertsUsage;
    return 2;
  }
  auto trust = certs::TrustStore::Load(trust_files);
  if (!trust) {
    err << "eigw certs list: " << trust.error().message() << "\n";
    return 3;
  }
  const std::time_t now = std::time(nullptr);
  int code = 0;
  for (const auto& file : files) {
    auto certs = certs::LoadCertificates(file);
    if (!certs) {
      err << "eigw certs list: " << certs.error().message() << "\n";
      code = 3;
      continue;
    }
    for (auto& cert : *certs) {
      certs::CertificateInfo info = certs::DescribeCertificate(cert.get());
      const long days = info.DaysLeft(now);
      const char* state = info.not_after <= now ? "EXPIRED" : days < kWarnDays ? "WARN" : "ok";
      out << file << "\n"
          << "  subject:   " << info.subject << "\n"
          << "  issuer:    " << info.issuer << (info.self_signed ? " (self-signed)" : "") << "\n"
          << "  key:       " << info.key << (info.is_ca ? " (CA)" : "") << "\n"
          << "  not after: " << certs::FormatUtc(info.not_after) << "  " << state << ": ";
      if (info.not_after <= now) {
        out << "expired " << -days << " days ago\n";
        if (code == 0) code = 1;
      } else {
        out << days << " days left" << (days < kWarnDays ? " (renew it)" : "") << "\n";
      }
      if (!trust_files.empty()) {
        certs::ChainVerdict v = trust->CheckChain(cert.get(), {}, now);
        out << "  trust:     " << (v.ok ? "trusted" : v.message) << "\n";
        if (!v.ok && code == 0) code = 1;
      }
    }
  }
  return code;
}

}  // namespace gw::cli
