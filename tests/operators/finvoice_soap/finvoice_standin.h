// Test helpers for the finvoice-soap client: a throw-away test PKI (certs/pki/make_test_pki.sh) and
// the stand-in operator finvoice_standin.py as a child process on a loopback port, with its
// records and its steering. Not thread-safe; one per test suite.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "operators/http/http_client.h"

extern char** environ;

namespace gw::operators::standin {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh folder under the system's temporary folder, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "eigw-finvoice-soap-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Makes the test PKI in `dir`; "" on success, else what went wrong.
inline std::string MakeTestPki(const std::filesystem::path& dir) {
  const std::string script = std::string(EIGW_SOURCE_DIR) + "/certs/pki/make_test_pki.sh";
  const std::string command =
      "bash '" + script + "' '" + dir.string() + "' >'" + dir.string() + ".log' 2>&1";
  int rc = std::system(command.c_str());
  if (rc != 0)
    return "make_test_pki.sh failed (" + std::to_string(rc) +
           "): " + ReadFile(dir.string() + ".log");
  return "";
}

// One finvoice_standin.py process. Its stdin is a pipe held here: closing it (or this test
// process dying) stops the stand-in.
class StandIn {
 public:
  // Starts the stand-in with `args` (after --pki and --record) and waits up to 60 s for its port.
  // Null with `error` set when it does not come up.
  static std::unique_ptr<StandIn> Start(const std::filesystem::path& pki,
                                        const std::filesystem::path& record,
                                        const std::vector<std::string>& args, std::string& error) {
    std::filesystem::create_directories(record);
    const std::string script =
        std::string(EIGW_SOURCE_DIR) + "/tests/operators/finvoice_soap/finvoice_standin.py";
    std::vector<std::string> argv = {"python3",    script,     "--pki",
                                     pki.string(), "--record", record.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);

    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
      error = "pipe failed";
      return nullptr;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, "python3", &actions, nullptr, c_argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    auto standin = std::unique_ptr<StandIn>(new StandIn(pid, in[1], record));
    if (rc != 0) {
      standin->pid_ = -1;
      ::close(out[0]);
      error = "cannot start python3: " + std::to_string(rc);
      return nullptr;
    }
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && ::poll(&p, 1, 60000) > 0) {
      char buf[64];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    ::close(out[0]);
    standin->port_ = std::atoi(line.c_str());
    if (standin->port_ <= 0) {
      error = "the stand-in did not print its port (got '" + line + "')";
      return nullptr;
    }
    return standin;
  }

  ~StandIn() {
    if (stdin_ >= 0) ::close(stdin_);
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  StandIn(const StandIn&) = delete;
  StandIn& operator=(const StandIn&) = delete;

  std::string base() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return base() + "/finvoice"; }
  const std::filesystem::path& record() const { return record_; }

  // Steers the next calls (see finvoice_standin.py: fail?status=500&count=1, slow?seconds=3, ...),
  // over HTTPS with `http`, which must trust the test CA and hold the client certificate.
  std::string Control(HttpClient& http, const std::string& what) const {
    auto r = http.Post(base() + "/control/" + what, {{"Content-Type", "text/plain"}}, "go");
    return r ? std::to_string(r->status) + " " + r->body : r.error().message();
  }
  // requests=N, invoices=M as numbers; -1 when the stand-in cannot be asked.
  std::map<std::string, long> Stats(HttpClient& http) const {
    std::map<std::string, long> out{{"requests", -1}, {"invoices", -1}};
    auto r = http.Get(base() + "/control/stats", {});
    if (!r || r->status != 200) return out;
    std::istringstream lines(r->body);
    for (std::string l; std::getline(lines, l);) {
      size_t eq = l.find('=');
      if (eq != std::string::npos) out[l.substr(0, eq)] = std::atol(l.c_str() + eq + 1);
    }
    return out;
  }

  // The records of the requests that carried `message_id`, in order: each meta key, plus "body".
  std::vector<std::map<std::string, std::string>> Requests(const std::string& message_id) const {
    std::vector<std::filesystem::path> metas;
    for (const auto& e : std::filesystem::directory_iterator(record_))
      if (e.path().extension() == ".meta") metas.push_back(e.path());
    std::sort(metas.begin(), metas.end());
    std::vector<std::map<std::string, std::string>> out;
    for (const auto& m : metas) {
      std::map<std::string, std::string> meta;
      std::istringstream lines(ReadFile(m));
      for (std::string l; std::getline(lines, l);) {
        size_t eq = l.find('=');
        if (eq != std::string::npos) meta[l.substr(0, eq)] = l.substr(eq + 1);
      }
      if (meta["message_id"] != message_id) continue;
      meta["body"] = ReadFile(std::filesystem::path(m).replace_extension(".body"));
      out.push_back(std::move(meta));
    }
    return out;
  }
  // The stored invoice of `message_id` (its bytes as received after the frame); "" when none.
  std::string Invoice(const std::string& message_id) const {
    std::string hex;
    for (unsigned char c : message_id) {
      static const char* digits = "0123456789abcdef";
      hex += digits[c >> 4];
      hex += digits[c & 15];
    }
    return ReadFile(record_ / "invoices" / (hex + ".xml"));
  }

 private:
  StandIn(pid_t pid, int stdin_fd, std::filesystem::path record)
      : pid_(pid), stdin_(stdin_fd), record_(std::move(record)) {}
  pid_t pid_;
  int stdin_;
  int port_ = 0;
  std::filesystem::path record_;
};

}  // namespace gw::operators::standin
