// Owning smart pointers for the OpenSSL handles certs/ uses (copy deleted, freed exactly once).
// Thread-safety is that of the handle: do not share a non-const handle between threads.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

namespace gw::certs {

struct OpenSslFree {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(BIO* p) const { BIO_free_all(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(PKCS12* p) const { PKCS12_free(p); }
  void operator()(STACK_OF(X509)* p) const { sk_X509_pop_free(p, X509_free); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};

using X509Ptr = std::unique_ptr<X509, OpenSslFree>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslFree>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslFree>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, OpenSslFree>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OpenSslFree>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree>;

// A new reference to `cert` (X509_up_ref), owned by the returned pointer.
inline X509Ptr ShareCert(X509* cert) {
  X509_up_ref(cert);
  return X509Ptr(cert);
}

// The text of the OpenSSL error queue (and clears it); "" when empty. Never contains secrets:
// OpenSSL does not put passwords or key material into its error strings.
std::string TakeOpenSslErrors();

}  // namespace gw::certs
