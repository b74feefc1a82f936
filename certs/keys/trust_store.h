// A trust store: the CA certificates that signatures are verified against. Immutable once
// loaded; CheckChain may be called from several threads at once.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "certs/keys/openssl_ptr.h"
#include "formats/core/result.h"

namespace gw::certs {

// The verdict on a certificate chain.
struct ChainVerdict {
  bool ok = false;
  std::string rule;     // "" when ok, "cert.expired" or "cert.untrusted"
  std::string message;  // what OpenSSL found, with the subject
};

class TrustStore {
 public:
  TrustStore() = default;
  // Adds every certificate of each PEM/DER file as a trust anchor. kNotFound / kInvalidArgument
  // as LoadCertificates.
  static Result<TrustStore> Load(const std::vector<std::string>& paths);
  // Adds one trust anchor.
  void Add(X509Ptr cert) { anchors_.push_back(std::move(cert)); }
  bool empty() const { return anchors_.empty(); }
  const std::vector<X509Ptr>& anchors() const { return anchors_; }

  // Checks that `leaf` chains to an anchor through `untrusted` (intermediates sent with the
  // signature), every certificate valid at `at`. Revocation is not checked (no CRL/OCSP yet).
  ChainVerdict CheckChain(X509* leaf, const std::vector<X509*>& untrusted, std::time_t at) const;

 private:
  std::vector<X509Ptr> anchors_;
};

}  // namespace gw::certs
