// file-drop: the operator that writes each document into a folder per recipient
// (<folder>/<scheme>_<value>/<message id><extension>), atomically (temporary file, fsync, rename,
// fsync of the folder). Delivering the same message id again replaces the file with the same
// bytes, so a retried delivery never makes a second document. For running the whole pipeline
// without a network, and for operators that collect files (SFTP pickup folders).
#pragma once

#include "operators/operator_client.h"

namespace gw::operators {

class FileDropClient final : public OperatorClient {
 public:
  // Needs settings["folder"] (absolute).
  static Result<std::unique_ptr<OperatorClient>> Make(const OperatorSettings& settings, const ClientContext& context);
  Result<Receipt> Deliver(const Delivery& delivery) override;

 private:
  explicit FileDropClient(OperatorSettings settings) : OperatorClient(std::move(settings)) {}
};

}  // namespace gw::operators
