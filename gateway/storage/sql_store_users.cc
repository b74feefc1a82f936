// SqlStore: the web pages' users and their sign-in sessions (migration 5).
#include "gateway/common/strings.h"
#include "gateway/storage/sql_rows.h"
#include "gateway/storage/sql_store.h"

namespace gw::gateway::storage {

using namespace Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;

namespace {

constexpr const char* kUserColumns =
    "id, username, password_hash, role, tenant_id, buyer, created_ms, failed_logins, locked_until_ms";

User UserAt(const Rows& rows, size_t r, size_t first = 0) {
  User u;
  u.id = rows.Text(r, first + 0);
  u.username = rows.Text(r, first + 1);
  u.password_hash = rows.Text(r, first + 2);
  u.role = rows.Text(r, first + 3);
  u.tenant_id = rows.Text(r, first + 4);
  u.buyer = rows.Text(r, first + 5);
  u.created_ms = rows.Int(r, first + 6);
  u.failed_logins = static_cast<int>(rows.Int(r, first + 7));
  u.locked_until_ms = rows.Int(r, first + 8);
  return u;
}

}  // namespace

Status SqlStore::AddUser(const User& u) {
  return Write([&](Session& s) {
    int taken = 0;
    s << Sql("SELECT COUNT(*) FROM users WHERE username = ?"), useRef(u.username), into(taken), now;
    if (taken) throw StoreFailure{Error::AlreadyExists("a user named '" + u.username + "' exists")};
    int zero = 0;
    int64_t unlocked = 0;
    s << Sql(std::string("INSERT INTO users (") + kUserColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        useRef(u.id), useRef(u.username), useRef(u.password_hash), useRef(u.role), useRef(u.tenant_id),
        useRef(u.buyer), useRef(u.created_ms), useRef(zero), useRef(unlocked), now;
  });
}

Result<std::optional<User>> SqlStore::FindUser(const std::string& id_or_username) {
  std::optional<User> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << Sql(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ? OR username = ?"),
        useRef(id_or_username), useRef(id_or_username), now;
    Rows rows(q);
    if (rows.size()) out = UserAt(rows, 0);
  });
  if (!st) return st.error();
  return out;
}

Result<std::vector<User>> SqlStore::ListUsers() {
  std::vector<User> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    q << std::string("SELECT ") + kUserColumns + " FROM users ORDER BY username", now;
    Rows rows(q);
    for (size_t r = 0; r < rows.size(); ++r) out.push_back(UserAt(rows, r));
  });
  if (!st) return st.error();
  return out;
}

Result<bool> SqlStore::RemoveUser(const std::string& id_or_username) {
  bool removed = false;
  Status st = Write([&](Session& s) {
    std::string id;
    Statement find(s);
    find << Sql("SELECT id FROM users WHERE id = ? OR username = ?"), useRef(id_or_username), useRef(id_or_username),
        now;
    Rows rows(find);
    if (!rows.size()) return;
    id = rows.Text(0, 0);
    s << Sql("DELETE FROM ui_sessions WHERE user_id = ?"), useRef(id), now;
    s << Sql("DELETE FROM users WHERE id = ?"), useRef(id), now;
    removed = true;
  });
  if (!st) return st.error();
  return removed;
}

Status SqlStore::RecordSignIn(const std::string& user_id, bool success, int64_t locked_until_ms) {
  return Write([&](Session& s) {
    Statement q(s);
    if (success) {
      q << Sql("UPDATE users SET failed_logins = 0, locked_until_ms = 0 WHERE id = ?"), useRef(user_id), now;
    } else {
      q << Sql("UPDATE users SET failed_logins = failed_logins + 1,"
               " locked_until_ms = CASE WHEN ? > locked_until_ms THEN ? ELSE locked_until_ms END WHERE id = ?"),
          useRef(locked_until_ms), useRef(locked_until_ms), useRef(user_id), now;
    }
  });
}

Status SqlStore::AddUiSession(const UiSession& u) {
  return Write([&](Session& s) {
    // Expired sessions go as new ones come (no sweeper needed).
    s << Sql("DELETE FROM ui_sessions WHERE expires_ms < ?"), useRef(u.created_ms), now;
    s << Sql("INSERT INTO ui_sessions (token_sha256, user_id, csrf, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)"),
        useRef(u.token_sha256), useRef(u.user_id), useRef(u.csrf), useRef(u.created_ms), useRef(u.expires_ms), now;
  });
}

Result<std::optional<std::pair<UiSession, User>>> SqlStore::FindUiSession(const std::string& token_sha256,
                                                                          int64_t now_ms) {
  std::optional<std::pair<UiSession, User>> out;
  Status st = Read([&](Session& s) {
    Statement q(s);
    std::string columns;
    for (const auto& c : SplitList(kUserColumns)) columns += ", u." + c;
    q << Sql("SELECT s.token_sha256, s.user_id, s.csrf, s.created_ms, s.expires_ms" + columns +
             " FROM ui_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ? AND s.expires_ms > ?"),
        useRef(token_sha256), useRef(now_ms), now;
    Rows rows(q);
    if (!rows.size()) return;
    UiSession session{rows.Text(0, 0), rows.Text(0, 1), rows.Text(0, 2), rows.Int(0, 3), rows.Int(0, 4)};
    out.emplace(std::move(session), UserAt(rows, 0, 5));
  });
  if (!st) return st.error();
  return out;
}

Status SqlStore::RemoveUiSession(const std::string& token_sha256) {
  return Write([&](Session& s) {
    s << Sql("DELETE FROM ui_sessions WHERE token_sha256 = ?"), useRef(token_sha256), now;
  });
}

}  // namespace gw::gateway::storage
