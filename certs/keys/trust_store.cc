#include "certs/keys/trust_store.h"

#include <openssl/err.h>

#include "certs/keys/certificate.h"

namespace gw::certs {

Result<TrustStore> TrustStore::Load(const std::vector<std::string>& paths) {
  TrustStore store;
  for (const auto& path : paths) {
    auto certs = LoadCertificates(path);
    if (!certs) return std::move(certs).error();
    for (auto& c : *certs) store.anchors_.push_back(std::move(c));
  }
  return store;
}

ChainVerdict TrustStore::CheckChain(X509* leaf, const std::vector<X509*>& untrusted, std::time_t at) const {
  const std::string subject = DescribeCertificate(leaf).subject;
  if (anchors_.empty()) {
    return {false, "cert.untrusted", "no trust store was given, so the certificate of " + subject +
                                         " cannot be trusted (eigw verify --trust CA.pem)"};
  }
  X509StorePtr store(X509_STORE_new());
  for (const auto& a : anchors_) X509_STORE_add_cert(store.get(), a.get());
  X509StackPtr chain(sk_X509_new_null());
  for (X509* c : untrusted) {
    X509_up_ref(c);
    sk_X509_push(chain.get(), c);
  }
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain.get()) != 1) {
    ERR_clear_error();
    return {false, "cert.untrusted", "cannot set up certificate verification"};
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, at);
  const int ok = X509_verify_cert(ctx.get());
  const int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  if (ok == 1) return {true, "", ""};
  std::string why = X509_verify_cert_error_string(err);
  X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
  std::string where = bad != nullptr ? DescribeCertificate(bad).subject : subject;
  if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
    CertificateInfo info = DescribeCertificate(bad != nullptr ? bad : leaf);
    return {false, "cert.expired",
            "the certificate of " + where + " is not valid at " + FormatUtc(at) + " (valid " +
                FormatUtc(info.not_before) + " to " + FormatUtc(info.not_after) + ")"};
  }
  return {false, "cert.untrusted",
          "the certificate of " + subject + " does not chain to a trusted CA: " + why + " (at " + where + ")"};
}

}  // namespace gw::certs
