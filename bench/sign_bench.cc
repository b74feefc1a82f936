// Signing a 21 KB UBL invoice (EN16931 example 1) with RSA-2048 and ECDSA P-256, and verifying,
// beside the raw OpenSSL signature of the same key in the same run, timed two ways: per call
// through EVP_DigestSign (BM_RawOpenSslSign, a context set up each time) and with a context set
// up once (BM_RawOpenSslSignPrepared, as `openssl speed` does; the faster). The ratio
// sign-rate / prepared raw rate is printed as the counter "of_raw". Signing goes through the
// streaming signer (SignXml's default); the *_xmlsec cases sign through xmlsec's tree.
// bench/sign_run runs it and writes bench/results/sign-latest.md. Keys come from
// certs/pki/make_test_pki.sh run into a temporary folder at start.
#include <benchmark/benchmark.h>
#include <libxml/c14n.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "certs/keys/key_store.h"
#include "certs/keys/trust_store.h"
#include "certs/xmldsig/exc_c14n.h"
#include "certs/xmldsig/signer.h"
#include "certs/xmldsig/xmlsec_library.h"
#include "certs/xmldsig/verifier.h"

namespace {

const std::string& PkiDir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("eigw-bench-pki-" + std::to_string(::getpid()));
    std::string cmd = std::string(EIGW_SOURCE_DIR) + "/certs/pki/make_test_pki.sh " + d.string() + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) std::abort();
    return d.string();
  }();
  return dir;
}

const gw::certs::SigningKey& Key(const std::string& name) {
  static auto* keys = new std::map<std::string, gw::certs::SigningKey>;
  auto it = keys->find(name);
  if (it == keys->end()) {
    auto k = gw::certs::SigningKey::Load({PkiDir() + "/" + name + ".key", PkiDir() + "/" + name + ".pem", "", std::nullopt});
    if (!k) std::abort();
    it = keys->emplace(name, std::move(*k)).first;
  }
  return it->second;
}

const std::string& Invoice() {
  static const std::string text = [] {
    std::ifstream f(std::string(EIGW_SHARED_DIR) + "/conformance/examples/en16931/ubl/ubl-tc434-example1.xml");
    return std::string((std::istreambuf_iterator<char>(f)), {});
  }();
  return text;
}

// The raw private-key operation as `openssl speed` times it: one signing context set up once,
// then EVP_PKEY_sign over a SHA-256 digest each time (no per-signature algorithm lookup). The
// stricter of the two raw baselines here, and the one the ratio uses.
struct PreparedSigner {
  explicit PreparedSigner(EVP_PKEY* key) : ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr)) {
    if (ctx == nullptr || EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1) std::abort();
  }
  ~PreparedSigner() { EVP_PKEY_CTX_free(ctx); }
  size_t Sign(unsigned char* sig, size_t cap) {
    static const unsigned char digest[32] = {1};
    size_t len = cap;
    if (EVP_PKEY_sign(ctx, sig, &len, digest, sizeof(digest)) != 1) std::abort();
    return len;
  }
  EVP_PKEY_CTX* ctx;
};

double RawSignSeconds(const gw::certs::SigningKey& key) {
  // The raw rate, measured here so the ratio compares runs on the same machine and moment.
  PreparedSigner signer(key.key());
  unsigned char sig[512];
  for (int i = 0; i < 20; ++i) signer.Sign(sig, sizeof(sig));  // warm-up
  const int n = key.is_rsa() ? 300 : 3000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) benchmark::DoNotOptimize(signer.Sign(sig, sizeof(sig)));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / n;
}

void BM_RawOpenSslSignPrepared(benchmark::State& state, const char* key_name) {
  PreparedSigner signer(Key(key_name).key());
  unsigned char sig[512];
  for (auto _ : state) benchmark::DoNotOptimize(signer.Sign(sig, sizeof(sig)));
}

void BM_RawOpenSslSign(benchmark::State& state, const char* key_name) {
  const auto& key = Key(key_name);
  const unsigned char input[32] = {1};
  unsigned char sig[512];
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = sizeof(sig);
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.key());
    EVP_DigestSign(ctx, sig, &len, input, sizeof(input));
    EVP_MD_CTX_free(ctx);
    benchmark::DoNotOptimize(len);
  }
}

void BM_SignUbl(benchmark::State& state, const char* key_name, gw::certs::SignProfile profile,
                bool use_xmlsec = false) {
  const auto& key = Key(key_name);
  gw::certs::SignOptions options;
  options.profile = profile;
  options.use_xmlsec = use_xmlsec;
  const double raw_before = RawSignSeconds(key);
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto signed_xml = gw::certs::SignXml(Invoice(), key, options);
    if (!signed_xml) state.SkipWithError(signed_xml.error().message().c_str());
    benchmark::DoNotOptimize(signed_xml);
  }
  const double per_sign =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / state.iterations();
  // The raw rate on both sides of the loop, since this VM's CPU speed drifts over seconds.
  const double raw = (raw_before + RawSignSeconds(key)) / 2;
  state.counters["of_raw"] = raw / per_sign;
}

void BM_VerifyUbl(benchmark::State& state, const char* key_name) {
  static auto* trust = new gw::certs::TrustStore(std::move(*gw::certs::TrustStore::Load({PkiDir() + "/ca.pem"})));
  auto signed_xml = gw::certs::SignXml(Invoice(), Key(key_name), {});
  gw::certs::VerifyOptions options;
  options.trust = trust;
  for (auto _ : state) {
    auto report = gw::certs::VerifyXml(*signed_xml, options);
    if (!report || !report->valid()) state.SkipWithError("not valid");
  }
}

// The streaming signer's canonicalization of the whole invoice (exc_c14n.h), beside libxml2's
// (parse into a tree, then xmlC14NDocDumpMemory), which the xmlsec path pays.
void BM_CanonicalizeText(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!gw::certs::ExclusiveC14n(Invoice(), out)) state.SkipWithError("refused");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Invoice().size()));
}

// The canonical form hashed as it is produced: what the streaming signer pays for the document.
void BM_CanonicalDigest(benchmark::State& state) {
  unsigned char digest[32];
  for (auto _ : state) {
    if (!gw::certs::ExclusiveC14nSha256(Invoice(), digest)) state.SkipWithError("refused");
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Invoice().size()));
}

void BM_CanonicalizeLibxml2(benchmark::State& state) {
  for (auto _ : state) {
    auto doc = gw::certs::ParseUntrustedXml(Invoice());
    xmlChar* mem = nullptr;
    int n = doc ? xmlC14NDocDumpMemory(doc->get(), nullptr, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, &mem) : -1;
    if (n < 0) state.SkipWithError("refused");
    xmlFree(mem);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Invoice().size()));
}

BENCHMARK(BM_CanonicalizeText);
BENCHMARK(BM_CanonicalDigest);
BENCHMARK(BM_CanonicalizeLibxml2);
BENCHMARK_CAPTURE(BM_RawOpenSslSign, rsa2048, "signer-rsa");
BENCHMARK_CAPTURE(BM_RawOpenSslSignPrepared, rsa2048, "signer-rsa");
BENCHMARK_CAPTURE(BM_SignUbl, xmldsig_rsa2048, "signer-rsa", gw::certs::SignProfile::kXmlDsig);
BENCHMARK_CAPTURE(BM_SignUbl, xades_bes_rsa2048, "signer-rsa", gw::certs::SignProfile::kXadesBes);
BENCHMARK_CAPTURE(BM_SignUbl, xmldsig_rsa2048_xmlsec, "signer-rsa", gw::certs::SignProfile::kXmlDsig, true);
BENCHMARK_CAPTURE(BM_VerifyUbl, rsa2048, "signer-rsa");
BENCHMARK_CAPTURE(BM_RawOpenSslSign, ecdsa_p256, "signer-ec");
BENCHMARK_CAPTURE(BM_RawOpenSslSignPrepared, ecdsa_p256, "signer-ec");
BENCHMARK_CAPTURE(BM_SignUbl, xmldsig_ecdsa_p256, "signer-ec", gw::certs::SignProfile::kXmlDsig);
BENCHMARK_CAPTURE(BM_SignUbl, xades_bes_ecdsa_p256, "signer-ec", gw::certs::SignProfile::kXadesBes);
BENCHMARK_CAPTURE(BM_SignUbl, xmldsig_ecdsa_p256_xmlsec, "signer-ec", gw::certs::SignProfile::kXmlDsig, true);
BENCHMARK_CAPTURE(BM_VerifyUbl, ecdsa_p256, "signer-ec");

}  // namespace

BENCHMARK_MAIN();
