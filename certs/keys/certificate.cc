#include "certs/keys/certificate.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <fstream>
#include <iterator>

namespace gw::certs {

std::string TakeOpenSslErrors() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  constexpr std::streamoff kMax = 16 * 1024 * 1024;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("cannot open " + path);
  in.seekg(0, std::ios::end);
  if (in.tellg() > kMax) return Error::InvalidArgument(path + " is larger than 16 MiB");
  in.seekg(0);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error::NotFound("cannot read " + path);
  return text;
}

Result<std::vector<X509Ptr>> ParseCertificates(std::string_view bytes) {
  std::vector<X509Ptr> certs;
  if (bytes.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    while (true) {
      X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
      if (cert == nullptr) break;
      certs.emplace_back(cert);
    }
    // The loop ends on "no start line" at the end of the input; anything else is a broken block.
    unsigned long last = ERR_peek_last_error();
    if (last != 0 && ERR_GET_REASON(last) != PEM_R_NO_START_LINE) {
      return Error::InvalidArgument("malformed PEM certificate: " + TakeOpenSslErrors());
    }
    ERR_clear_error();
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()));
    if (cert == nullptr) {
      ERR_clear_error();
      return Error::InvalidArgument("neither PEM nor a DER certificate");
    }
    certs.emplace_back(cert);
  }
  if (certs.empty()) return Error::InvalidArgument("no certificate found");
  return certs;
}

Result<std::vector<X509Ptr>> LoadCertificates(const std::string& path) {
  auto bytes = ReadSmallFile(path);
  if (!bytes) return std::move(bytes).error();
  auto certs = ParseCertificates(*bytes);
  if (!certs) return Error::InvalidArgument(path + ": " + certs.error().message());
  return certs;
}

namespace {

std::string CurveName(const EVP_PKEY* key) {
  char name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) != 1) {
    ERR_clear_error();
    return "";
  }
  return name;
}

std::string Name(X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::time_t ToTime(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

}  // namespace

std::string DescribeKey(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return "RSA-" + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_EC: {
      std::string curve = CurveName(key);
      return "ECDSA " + (curve == "prime256v1" ? std::string("P-256") : curve);
    }
    case EVP_PKEY_ED25519:
      return "Ed25519";
    default:
      return "key type " + std::to_string(EVP_PKEY_get_base_id(key));
  }
}

Status CheckKeyPolicy(const EVP_PKEY* key) {
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) >= 2048) return OkStatus();
  if (type == EVP_PKEY_EC && CurveName(key) == "prime256v1") return OkStatus();
  return Error::InvalidArgument("the key is " + DescribeKey(key) +
                                "; signatures need RSA with at least 2048 bits or ECDSA P-256");
}

CertificateInfo DescribeCertificate(X509* cert) {
  CertificateInfo info;
  info.subject = Name(X509_get_subject_name(cert));
  info.issuer = Name(X509_get_issuer_name(cert));
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    char* hex = BN_bn2hex(bn);
    info.serial = hex;
    OPENSSL_free(hex);
    BN_free(bn);
  }
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) info.key = DescribeKey(key);
  info.not_before = ToTime(X509_get0_notBefore(cert));
  info.not_after = ToTime(X509_get0_notAfter(cert));
  info.self_signed = X509_check_issued(cert, cert) == X509_V_OK;
  info.is_ca = X509_check_ca(cert) != 0;
  ERR_clear_error();
  return info;
}

std::string FormatUtc(std::time_t t) {
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr); }

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::Update(std::string_view data) { EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()); }

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &n);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 hash;
  hash.Update(data);
  return hash.HexDigest();
}

Result<std::string> DecodeBase64(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return Error::InvalidArgument("malformed base64 (length)");
  std::string out(clean.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
  if (n < 0) return Error::InvalidArgument("malformed base64");
  // EVP_DecodeBlock counts padding as zero bytes.
  size_t len = static_cast<size_t>(n);
  if (!clean.empty() && clean.back() == '=') --len;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string CertificateBase64(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) return "";
  std::string b64 = EncodeBase64(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(len)));
  OPENSSL_free(der);
  return b64;
}

std::string CertificateDigestBase64(X509* cert, const EVP_MD* md) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, md, buf, &len) != 1) return "";
  return EncodeBase64(std::string_view(reinterpret_cast<char*>(buf), len));
}

std::string SerialDecimal(X509* cert) {
  std::string out;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    char* dec = BN_bn2dec(bn);
    if (dec != nullptr) out = dec;
    OPENSSL_free(dec);
    BN_free(bn);
  }
  return out;
}

}  // namespace gw::certs
