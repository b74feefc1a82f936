#include "operators/http/http_client.h"

#include "operators/operator_client.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdio>
#include <functional>

namespace gw::operators {
namespace {

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Sink {
  const std::function<bool(std::string_view)>* each;
  bool refused = false;
};

size_t Write(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (!(*sink->each)(std::string_view(data, len))) {
    sink->refused = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  return len;
}

// Keeps the answer's header lines ("Name: value"), names lower-cased; a new status line (after a
// redirect or a 100 Continue) starts over.
size_t Header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) headers->clear();
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    headers->emplace_back(std::move(name), std::string(value));
  }
  return size * n;
}

}  // namespace

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
  static GlobalInit init;
}

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::Take() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::Give(void* handle) {
  std::lock_guard lock(mu_);
  if (idle_.size() < 16) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return {};
}

Result<HttpResponse> HttpClient::Send(const std::string& method, const std::string& url,
                                      const std::vector<std::pair<std::string, std::string>>& headers,
                                      std::string_view body, size_t max_answer_bytes) {
  std::string answer;
  bool overflow = false;
  auto response = Stream(method, url, headers, body, [&](std::string_view chunk) {
    if (answer.size() + chunk.size() > max_answer_bytes) {
      overflow = true;
      return false;
    }
    answer.append(chunk);
    return true;
  });
  if (!response) {
    if (overflow)
      return Error::Unavailable(method + " " + url + ": the answer is larger than " + std::to_string(max_answer_bytes) +
                                " bytes");
    return response.error();
  }
  response->body = std::move(answer);
  return response;
}

Result<HttpResponse> HttpClient::Stream(const std::string& method, const std::string& url,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        std::string_view body, const std::function<bool(std::string_view)>& each) {
  CURL* curl = static_cast<CURL*>(Take());
  if (!curl) return Error::Internal("cannot create a curl handle");
  curl_easy_reset(curl);
  HttpResponse response;
  Sink sink{&each};
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  // No "Expect: 100-continue" round trip for larger bodies.
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, Header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (method == "POST" || method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    // Never a null pointer: curl would read the body from stdin instead.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (method == "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.client_cert.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, options_.client_cert.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, options_.client_key.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_peer ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_peer ? 2L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  char detail[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    std::string what = sink.refused ? std::string("the answer was not taken")
                                    : std::string(curl_easy_strerror(rc)) + (detail[0] ? std::string(" (") + detail + ")" : "");
    curl_easy_cleanup(curl);  // its connection may be in any state
    // Our own configuration (an unreadable client key or CA file, a bad URL) is not mended by
    // retrying: permanent, so the operator's invoice fails with the reason instead of waiting.
    if (rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_URL_MALFORMAT ||
        rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_SSL_ENGINE_NOTFOUND)
      return Error::FailedPrecondition(method + " " + url + ": " + what + "; check the operator's settings");
    return Error::Unavailable(method + " " + url + ": " + what);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* type = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) response.content_type = type;
  Give(curl);
  return response;
}

HttpOptions HttpOptionsFor(const OperatorSettings& s) {
  HttpOptions options;
  options.timeout_ms = s.timeout_ms;
  options.connect_timeout_ms = s.connect_timeout_ms;
  options.ca_file = s.Get("ca_file");
  options.client_cert = s.Get("client_cert");
  options.client_key = s.Get("client_key");
  return options;
}

std::string UrlEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace gw::operators
