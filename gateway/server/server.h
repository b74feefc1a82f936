// The HTTP server: Poco's HTTPServer (HTTP/1.1, keep-alive, a thread pool; TLS with NetSSL when
// server.tls_cert and server.tls_key are set) in front of the router of docs/api.md.
#pragma once

#include <memory>

#include "gateway/server/context.h"

namespace Poco::Net {
class HTTPServer;
}
namespace Poco {
class ThreadPool;
}

namespace gw::gateway {

class Server {
 public:
  explicit Server(App& app);
  ~Server();
  // Binds and starts serving; returns the bound port (server.listen may ask for port 0).
  Result<uint16_t> Start();
  // Stops accepting, lets in-flight requests finish (up to `grace_ms`), then returns.
  void Stop(int grace_ms);

 private:
  App& app_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace gw::gateway
