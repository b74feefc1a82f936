#include "certs/keys/key_store.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "certs/keys/certificate.h"

namespace gw::certs {

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}

void Secret::Wipe() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

Result<std::optional<Secret>> ReadPassword(const PasswordSource& source) {
  if (!source.file.empty() && !source.env_var.empty()) {
    return Error::InvalidArgument("give the key password by file or by environment variable, not both");
  }
  if (!source.file.empty()) {
    auto text = ReadSmallFile(source.file);
    if (!text) return Error::NotFound("cannot read the password file " + source.file);
    std::string value = std::move(*text);
    // The first line; a trailing newline (echo > file) is not part of the password.
    size_t end = value.find_first_of("\r\n");
    if (end != std::string::npos) {
      OPENSSL_cleanse(value.data() + end, value.size() - end);
      value.resize(end);
    }
    return std::optional<Secret>(Secret(std::move(value)));
  }
  if (!source.env_var.empty()) {
    const char* value = std::getenv(source.env_var.c_str());
    if (value == nullptr) return Error::NotFound("the environment variable " + source.env_var + " is not set");
    return std::optional<Secret>(Secret(value));
  }
  return std::optional<Secret>();
}

namespace {

int PasswordCallback(char* buf, int size, int /*rwflag*/, void* user) {
  const auto* password = static_cast<const std::optional<Secret>*>(user);
  if (!password->has_value()) return -1;  // encrypted key, no password: fail rather than prompt
  const std::string& p = (*password)->reveal();
  if (p.size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, p.data(), p.size());
  return static_cast<int>(p.size());
}

bool LooksLikePkcs12(const std::string& path, const std::string& bytes) {
  auto ends = [&](const char* ext) {
    size_t n = std::strlen(ext);
    return path.size() >= n && path.compare(path.size() - n, n, ext) == 0;
  };
  return ends(".p12") || ends(".pfx") || bytes.find("-----BEGIN") == std::string::npos;
}

}  // namespace

bool SigningKey::is_rsa() const { return EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_RSA; }

// Signing contexts of one key, initialised for SHA-256 and handed to one signature at a time.
class SigningKey::ContextPool {
 public:
  explicit ContextPool(EVP_PKEY* key) : key_(key) {}
  ~ContextPool() {
    for (EVP_PKEY_CTX* c : free_) EVP_PKEY_CTX_free(c);
  }
  EVP_PKEY_CTX* Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        EVP_PKEY_CTX* c = free_.back();
        free_.pop_back();
        return c;
      }
    }
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr);
    if (c == nullptr || EVP_PKEY_sign_init(c) != 1 || EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) != 1) {
      EVP_PKEY_CTX_free(c);
      ERR_clear_error();
      return nullptr;
    }
    return c;
  }
  void Give(EVP_PKEY_CTX* c) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(c);
  }

 private:
  EVP_PKEY* key_;  // owned by the SigningKey, which outlives its pool
  std::mutex mu_;
  std::vector<EVP_PKEY_CTX*> free_;
};

bool SigningKey::SignSha256(std::string_view data, std::string& signature) const {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[32];
  unsigned int digest_len = 0;
  if (sha256 == nullptr || EVP_Digest(data.data(), data.size(), digest, &digest_len, sha256, nullptr) != 1) {
    ERR_clear_error();
    return false;
  }
  EVP_PKEY_CTX* ctx = contexts_->Take();
  if (ctx == nullptr) return false;
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(key_.get()));
  signature.resize(len);
  const bool ok = EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &len, digest, digest_len) == 1;
  if (ok) {
    signature.resize(len);
    contexts_->Give(ctx);
  } else {
    EVP_PKEY_CTX_free(ctx);  // a context in an unknown state is not reused
    ERR_clear_error();
  }
  return ok;
}

Result<SigningKey> SigningKey::Load(const KeySource& source) {
  SigningKey result;
  auto bytes = ReadSmallFile(source.key_path);
  if (!bytes) return Error::NotFound("cannot read the key file " + source.key_path);
  ERR_clear_error();
  if (LooksLikePkcs12(source.key_path, *bytes)) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes->data());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes->size())));
    if (!p12) {
      ERR_clear_error();
      return Error::InvalidArgument(source.key_path + " is neither a PEM key nor a PKCS#12 file");
    }
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    const char* pass = source.password ? source.password->reveal().c_str() : "";
    if (PKCS12_parse(p12.get(), pass, &key, &cert, &ca) != 1) {
      ERR_clear_error();
      return Error::InvalidArgument("cannot open the PKCS#12 file " + source.key_path +
                                    ": wrong or missing password, or an unsupported file");
    }
    result.key_.reset(key);
    result.cert_.reset(cert);
    X509StackPtr ca_owner(ca);
    for (int i = 0; ca != nullptr && i < sk_X509_num(ca); ++i) {
      result.chain_.push_back(ShareCert(sk_X509_value(ca, i)));
    }
  } else {
    BioPtr bio(BIO_new_mem_buf(bytes->data(), static_cast<int>(bytes->size())));
    auto password = &source.password;
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, PasswordCallback,
                                            const_cast<std::optional<Secret>*>(password));
    if (key == nullptr) {
      ERR_clear_error();
      return Error::InvalidArgument("cannot read the private key " + source.key_path +
                                    (source.password ? ": malformed, or the password is wrong"
                                                     : ": malformed, or encrypted and no password was given"));
    }
    result.key_.reset(key);
  }
  OPENSSL_cleanse(bytes->data(), bytes->size());

  if (!source.cert_path.empty()) {
    auto certs = LoadCertificates(source.cert_path);
    if (!certs) return std::move(certs).error();
    // The first certificate is the signer's; any further ones are its chain.
    result.cert_ = std::move((*certs)[0]);
    for (size_t i = 1; i < certs->size(); ++i) result.chain_.push_back(std::move((*certs)[i]));
  }
  if (!result.cert_) return Error::InvalidArgument("no certificate for the key " + source.key_path + " (--cert)");
  if (!source.chain_path.empty()) {
    auto chain = LoadCertificates(source.chain_path);
    if (!chain) return std::move(chain).error();
    for (auto& c : *chain) result.chain_.push_back(std::move(c));
  }
  GW_RETURN_IF_ERROR(CheckKeyPolicy(result.key_.get()));
  if (X509_check_private_key(result.cert_.get(), result.key_.get()) != 1) {
    ERR_clear_error();
    return Error::InvalidArgument("the certificate does not belong to the private key (" +
                                  DescribeCertificate(result.cert_.get()).subject + ")");
  }
  auto text = std::make_shared<CertificateText>();
  text->base64.push_back(CertificateBase64(result.cert_.get()));
  for (const auto& c : result.chain_) text->base64.push_back(CertificateBase64(c.get()));
  text->sha256_base64 = CertificateDigestBase64(result.cert_.get(), EVP_sha256());
  text->issuer = DescribeCertificate(result.cert_.get()).issuer;
  text->serial_decimal = SerialDecimal(result.cert_.get());
  result.text_ = std::move(text);
  result.contexts_ = std::make_shared<ContextPool>(result.key_.get());
  return result;
}

}  // namespace gw::certs
