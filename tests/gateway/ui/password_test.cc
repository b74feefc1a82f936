// Password hashes of the web pages' users: scrypt round trips, a salt per hash, and every way a
// stored hash can be wrong or tampered with is a refusal (never an exception or a long run).
#include "gateway/ui/password.h"

#include <gtest/gtest.h>


namespace gw::gateway::ui {
namespace {

TEST(PasswordTest, TheDefaultCostHashChecksAndIsSalted) {
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash) << hash.error().ToString();
  EXPECT_TRUE(hash->starts_with("scrypt$ln=15,r=8,p=1$")) << *hash;
  EXPECT_TRUE(CheckPassword("correct horse battery staple", *hash));
  EXPECT_FALSE(CheckPassword("correct horse battery stapl", *hash));
  EXPECT_FALSE(CheckPassword("", *hash));
  auto again = HashPassword("correct horse battery staple");
  ASSERT_TRUE(again);
  EXPECT_NE(*hash, *again);  // a new salt each time
}

TEST(PasswordTest, ATamperedOrMalformedHashNeverMatches) {
  auto hash = HashPassword("a long enough password", {10, 8, 1});
  ASSERT_TRUE(hash);
  EXPECT_TRUE(CheckPassword("a long enough password", *hash));
  std::string flipped = *hash;
  flipped[flipped.size() - 3] = flipped[flipped.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(CheckPassword("a long enough password", flipped));
  for (const std::string bad : {
           std::string(""), std::string("plain text"), std::string("scrypt$ln=10,r=8,p=1$$"),
           std::string("bcrypt$ln=10,r=8,p=1$c2FsdHNhbHQ=$aGFzaA=="),
           // Costs outside the bounds: a row edited to make each check take hours or all memory.
           "scrypt$ln=30,r=8,p=1" + hash->substr(hash->find("$", 8)),
           "scrypt$ln=10,r=1000,p=1" + hash->substr(hash->find("$", 8)),
           "scrypt$ln=10,r=8" + hash->substr(hash->find("$", 8)),
           "scrypt$ln=ten,r=8,p=1" + hash->substr(hash->find("$", 8)),
       })
    EXPECT_FALSE(CheckPassword("a long enough password", bad)) << bad;
}

TEST(PasswordTest, NewPasswordsNeedTwelveCharacters) {
  EXPECT_NE(PasswordProblem("short"), "");
  EXPECT_NE(PasswordProblem(std::string(1025, 'x')), "");
  EXPECT_EQ(PasswordProblem("twelve chars"), "");
}

}  // namespace
}  // namespace gw::gateway::ui
