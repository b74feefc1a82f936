// A recipient registry as a directory source (protocol `registry-dump`): an operator section whose
// url names a dump file in the shape of the Finnish e-invoice address registry (registry_dump.h),
// as a path or an http(s) URL. Nothing is delivered to it; the directory reads it.
#pragma once

#include <string>

#include "operators/operator_client.h"

namespace gw::operators {

class RegistryDumpClient final : public OperatorClient {
 public:
  // Needs a url (a path, or http:// or https://).
  static Result<std::unique_ptr<OperatorClient>> Make(const OperatorSettings& settings, const ClientContext& context);
  // Always a permanent refusal: a registry lists recipients, it does not receive documents.
  Result<Receipt> Deliver(const Delivery& delivery) override;

 private:
  explicit RegistryDumpClient(OperatorSettings settings) : OperatorClient(std::move(settings)) {}
};

// The dump as fetched: a local file to read, and what identifies this version of it.
struct FetchedDump {
  std::string path;         // the file to read (the url itself for a local dump, else `spool`)
  bool not_modified = false;  // the server answered 304 to our validators: nothing to read
  std::string sha256;       // of the content (hex), to skip a dump that did not change
  std::string etag, last_modified;  // the server's validators, for the next fetch
  int64_t bytes = 0;
};

// Fetches `settings.url`. A local path is hashed in place. An http(s) URL is downloaded into
// `spool` (replaced atomically) with If-None-Match / If-Modified-Since from `etag` and
// `last_modified` (of the previous fetch), so an unchanged dump is not downloaded again.
// Errors: kUnavailable (unreadable file, connection failure, 5xx, 408, 429), kFailedPrecondition
// (4xx: the URL or the credentials are wrong), naming the url and what happened.
Result<FetchedDump> FetchRegistryDump(const OperatorSettings& settings, const std::string& spool,
                                      const std::string& etag, const std::string& last_modified);

}  // namespace gw::operators
