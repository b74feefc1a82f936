#include "gateway/server/context.h"

#include "gateway/common/strings.h"

#include <sstream>

#include <Poco/Base64Encoder.h>

#include <istream>

#include <Poco/Net/HTMLForm.h>
#include <Poco/URI.h>

#include "formats/core/date.h"
#include "formats/core/date_time.h"
#include "gateway/common/json_out.h"

namespace gw::gateway {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Rfc3339(int64_t ms) { return FormatDateTime(ms); }

bool ParseRfc3339(std::string_view text, int64_t& ms) { return ParseDateTime(text, ms); }

bool ParseDay(std::string_view text, int64_t& ms) {
  return Date::Parse(text) && ParseDateTime(std::string(text) + "T00:00:00Z", ms);
}

void Ctx::Send(int code, std::string_view content_type, std::string_view body) {
  // An answer given before the body was read (401, 415, a missing Idempotency-Key) must not leave
  // the body on the connection, where it would be read as the next request: read it away, or close
  // the connection when it is larger than any body we accept.
  if (!body_read) {
    body_read = true;
    const bool has_body = request.getChunkedTransferEncoding() ||
                          (request.hasContentLength() && request.getContentLength64() > 0);
    if (has_body) {
      if (request.hasContentLength() && request.getContentLength64() > app.config.max_body_bytes) {
        response.setKeepAlive(false);
      } else {
        std::istream& in = request.stream();
        char buf[16384];
        int64_t left = app.config.max_body_bytes + 1;
        while (in && left > 0) {
          in.read(buf, sizeof buf);
          left -= in.gcount();
          if (in.gcount() <= 0) break;
        }
        if (left <= 0) response.setKeepAlive(false);
      }
    }
  }
  status = code;
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
  response.setContentType(std::string(content_type));
  response.set("X-Request-Id", request_id);
  response.sendBuffer(body.data(), body.size());
}

void Ctx::Problem(int code_status, std::string_view code, std::string_view title, std::string_view detail,
                  const std::vector<Finding>& findings) {
  JsonOut j;
  j.BeginObject()
      .Field("type", "https://eigw.dev/problems/" + std::string(code))
      .Field("title", title)
      .Field("status", code_status)
      .Field("code", code)
      .Field("detail", detail)
      .Field("instance", request.getURI().substr(0, request.getURI().find('?')))
      .Field("request_id", request_id);
  if (!findings.empty()) j.Key("findings").Raw(FindingsJson(findings));
  j.EndObject();
  Send(code_status, "application/problem+json", j.str());
}

void Ctx::Unavailable(const Error& e) {
  Problem(503, "unavailable", "The service is unavailable", e.message() + "; retry later");
}

bool Ctx::ReadBody(std::string& body) {
  body_read = true;
  const int64_t limit = app.config.max_body_bytes;
  auto too_large = [&] {
    response.setKeepAlive(false);  // the rest of the body is not read
    Problem(413, "payload_too_large", "The body is too large",
            "the limit is " + std::to_string(limit) + " bytes (server.max_body_bytes)");
    return false;
  };
  if (request.hasContentLength() && request.getContentLength64() > limit) return too_large();
  std::istream& in = request.stream();
  body.clear();
  if (request.hasContentLength()) body.reserve(static_cast<size_t>(request.getContentLength64()));
  char buf[16384];
  while (in) {
    in.read(buf, sizeof buf);
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    if (static_cast<int64_t>(body.size()) + n > limit) return too_large();
    body.append(buf, static_cast<size_t>(n));
  }
  return true;
}

bool Ctx::MaySee(const storage::Invoice& invoice) const {
  return buyer.empty() || AsciiLower(invoice.buyer_endpoint) == AsciiLower(buyer);
}

std::string Ctx::Query(const std::string& name, bool* present) const {
  Poco::URI uri(request.getURI());
  for (const auto& [k, v] : uri.getQueryParameters()) {
    if (k == name) {
      if (present) *present = true;
      return v;
    }
  }
  if (present) *present = false;
  return "";
}

void Ctx::SendDocument(const storage::Document& d) {
  std::string raw;
  for (size_t i = 0; i + 1 < d.sha256.size(); i += 2)
    raw += static_cast<char>(std::stoi(d.sha256.substr(i, 2), nullptr, 16));
  std::ostringstream b64;
  Poco::Base64Encoder enc(b64);
  enc << raw;
  enc.close();
  response.set("Digest", "sha-256=" + b64.str());
  response.set("ETag", "\"" + d.sha256 + "\"");
  Send(200, d.media_type, d.content);
}

}  // namespace gw::gateway
