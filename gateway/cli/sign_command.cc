// eigw sign --profile xmldsig|xades-bes|xades-epes --key K [--cert C] [--chain F]
//           [--key-password-file F | --key-password-env VAR]
//           [--policy-id URI --policy-hash B64 [--policy-hash-alg sha256]] IN [-o OUT]
#include <cstdio>
#include <fstream>
#include <ostream>

#include "certs/keys/certificate.h"
#include "certs/keys/key_store.h"
#include "certs/xmldsig/signer.h"
#include "gateway/cli/command.h"

namespace gw::cli {
namespace {

constexpr const char* kSignUsage =
    "usage: eigw sign --profile xmldsig|xades-bes|xades-epes --key KEY [--cert CERT] [--chain FILE]\n"
    "                 [--key-password-file FILE | --key-password-env VAR]\n"
    "                 [--policy-id URI --policy-hash BASE64 [--policy-hash-alg sha256]] IN [-o OUT]\n"
    "\n"
    "Signs an XML document with an enveloped signature (docs/signing.md). In UBL the signature goes\n"
    "into ext:UBLExtensions, elsewhere it is the last child of the root.\n"
    "  --profile P          xmldsig (XMLDSig), xades-bes, xades-epes (needs the --policy-* options)\n"
    "  --key KEY            PEM private key (RSA 2048+ or ECDSA P-256), or a PKCS#12 file\n"
    "  --cert CERT          the signer certificate (PEM/DER); optional with PKCS#12\n"
    "  --chain FILE         intermediate/CA certificates to include in ds:X509Data\n"
    "  --key-password-file F, --key-password-env VAR   the password of an encrypted key or PKCS#12\n"
    "  --policy-id URI      XAdES-EPES signature policy identifier\n"
    "  --policy-hash B64    digest of the policy document; --policy-hash-alg sha256|sha384|sha512\n"
    "  -o OUT               output file (default: standard output)\n"
    "Exit codes: 0 signed, 1 the input or key was refused, 2 usage error, 3 file error, 4 internal error.\n";

bool WriteAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file || !file.write(content.data(), static_cast<std::streamsize>(content.size())) || !file.flush()) {
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

int RunSign(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  certs::SignOptions options;
  certs::KeySource source;
  certs::PasswordSource password;
  std::string profile, input, output;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kSignUsage;
      return 0;
    }
    std::string* target = nullptr;
    if (a == "--profile") target = &profile;
    else if (a == "--key") target = &source.key_path;
    else if (a == "--cert") target = &source.cert_path;
    else if (a == "--chain") target = &source.chain_path;
    else if (a == "--key-password-file") target = &password.file;
    else if (a == "--key-password-env") target = &password.env_var;
    else if (a == "--policy-id") target = &options.policy.id;
    else if (a == "--policy-hash") target = &options.policy.hash_base64;
    else if (a == "--policy-hash-alg") target = &options.policy.hash_algorithm;
    else if (a == "-o" || a == "--output") target = &output;
    if (target != nullptr) {
      if (i + 1 >= args.size()) {
        err << "eigw sign: " << a << " needs a value\n" << kSignUsage;
        return 2;
      }
      *target = args[++i];
      continue;
    }
    if (!a.empty() && a[0] == '-' && a != "-") {
      err << "eigw sign: unknown option " << a << "\n" << kSignUsage;
      return 2;
    }
    if (!input.empty()) {
      err << "eigw sign: one input file only\n" << kSignUsage;
      return 2;
    }
    input = a;
  }
  if (profile.empty() || source.key_path.empty() || input.empty()) {
    err << "eigw sign: --profile, --key and an input file are required\n" << kSignUsage;
    return 2;
  }
  auto parsed_profile = certs::ParseSignProfile(profile);
  if (!parsed_profile) {
    err << "eigw sign: " << parsed_profile.error().message() << "\n";
    return 2;
  }
  options.profile = *parsed_profile;
  if (options.profile == certs::SignProfile::kXadesEpes &&
      (options.policy.id.empty() || options.policy.hash_base64.empty())) {
    err << "eigw sign: xades-epes needs --policy-id and --policy-hash\n";
    return 2;
  }
  auto secret = certs::ReadPassword(password);
  if (!secret) {
    err << "eigw sign: " << secret.error().message() << "\n";
    return secret.error().code() == ErrorCode::kNotFound ? 3 : 2;
  }
  source.password = std::move(*secret);
  auto key = certs::SigningKey::Load(source);
  if (!key) {
    err << "eigw sign: " << key.error().message() << "\n";
    return key.error().code() == ErrorCode::kNotFound ? 3 : 1;
  }
  auto xml = certs::ReadSmallFile(input);
  if (!xml) {
    err << "eigw sign: " << xml.error().message() << "\n";
    return 3;
  }
  auto signed_xml = certs::SignXml(*xml, *key, options);
  if (!signed_xml) {
    err << "eigw sign: " << input << ": " << signed_xml.error().message() << "\n";
    return signed_xml.error().code() == ErrorCode::kInternal ? 4 : 1;
  }
  if (output.empty()) {
    out << *signed_xml;
    return 0;
  }
  if (!WriteAtomically(output, *signed_xml)) {
    err << "eigw sign: cannot write " << output << "\n";
    return 3;
  }
  err << "eigw sign: wrote " << output << " (" << certs::SignProfileName(options.profile) << ", "
      << certs::DescribeKey(key->key()) << ")\n";
  return 0;
}

}  // namespace gw::cli
