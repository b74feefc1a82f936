// A small HTTP(S) client for the operator protocols, on libcurl: one request at a time per call,
// connections kept alive and reused between calls (a pool of curl handles), TLS with a CA file and
// an optional client certificate, connect and total timeouts. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "formats/core/result.h"

namespace gw::operators {

struct HttpOptions {
  long connect_timeout_ms = 5000;
  long timeout_ms = 30000;
  std::string ca_file;      // PEM bundle to trust for https (empty: the system's)
  std::string client_cert;  // PEM client certificate for https (empty: none)
  std::string client_key;   // its PEM private key
  bool verify_peer = true;
};

struct OperatorSettings;  // operators/operator_client.h

struct HttpResponse {
  long status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  // The value of header `name` (lower case), or "".
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and reads the whole answer (at most `max_answer_bytes`). Any answer with a
  // status is a response (the caller judges the status); a connection failure, a timeout or an
  // oversized answer is kUnavailable (retryable), naming the URL and what curl said.
  Result<HttpResponse> Send(const std::string& method, const std::string& url,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string_view body, size_t max_answer_bytes = 16 * 1024 * 1024);
  // As Send, but the answer's body is handed to `each` chunk by chunk (not kept in `body`); `each`
  // returning false stops the transfer (kUnavailable).
  Result<HttpResponse> Stream(const std::string& method, const std::string& url,
                              const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
                              const std::function<bool(std::string_view)>& each);
  Result<HttpResponse> Post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string_view body) {
    return Send("POST", url, headers, body);
  }
  Result<HttpResponse> Get(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers) {
    return Send("GET", url, headers, {});
  }

 private:
  void* Take();
  void Give(void* handle);

  HttpOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* kept for reuse (their connections stay open)
};

// HttpOptions from an operator's settings (timeouts, ca_file, client_cert, client_key).
HttpOptions HttpOptionsFor(const OperatorSettings& settings);

// Percent-encodes a query or path component (RFC 3986 unreserved characters kept).
std::string UrlEncode(std::string_view text);

}  // namespace gw::operators
