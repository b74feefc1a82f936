#include "operators/file_drop/file_drop_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace gw::operators {
namespace {

// A recipient or message id as one safe path component: letters, digits, '-', '.', '_' kept,
// ':' becomes '_', anything else %XX.
std::string PathComponent(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || (c == '.' && !out.empty())) {
      out += static_cast<char>(c);
    } else if (c == ':') {
      out += '_';
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out.empty() ? "_" : out;
}

Error Io(const std::string& what, const std::string& path) {
  // Disk full, permissions, a file where the folder should be: may be mended, so retried.
  return Error::Unavailable(what + " " + path + ": " + std::strerror(errno));
}

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return Io("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Io("cannot sync", path);
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<OperatorClient>> FileDropClient::Make(const OperatorSettings& settings, const ClientContext&) {
  auto it = settings.settings.find("folder");
  if (it == settings.settings.end() || it->second.empty())
    return Error::InvalidArgument("operator." + settings.id + ".folder: the file-drop operator needs a folder");
  return std::unique_ptr<OperatorClient>(new FileDropClient(settings));
}

Result<Receipt> FileDropClient::Deliver(const Delivery& d) {
  namespace fs = std::filesystem;
  const std::string root = settings().settings.at("folder");
  const std::string dir = root + "/" + PathComponent(d.recipient);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    errno = ec.value();
    return Io("cannot create the recipient folder", dir);
  }
  const std::string extension = d.media_type.find("json") != std::string::npos ? ".json" : ".xml";
  const std::string target = dir + "/" + PathComponent(d.message_id) + extension;
  const std::string temp = target + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Io("cannot create", temp);
  size_t written = 0;
  while (written < d.document.size()) {
    ssize_t n = ::write(fd, d.document.data() + written, d.document.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return Io("cannot write", temp);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return Io("cannot sync", temp);
  }
  ::close(fd);
  if (::rename(temp.c_str(), target.c_str()) != 0) return Io("cannot rename into", target);
  if (auto st = SyncPath(dir, O_RDONLY | O_DIRECTORY); !st) return st.error();
  return Receipt{"written to " + target, "", ""};
}

}  // namespace gw::operators
