// TransmissionFromRouting: the routing keys, their defaults from the invoice, and clear errors for
// what is missing or wrong; and the lexical forms of Finvoice values (internal helpers).
#include "formats/finvoice/finvoice_transmission.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "formats/finvoice/finvoice_encoding.h"
#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice {
namespace {

using Routing = std::map<std::string, std::string, std::less<>>;

model::Invoice Invoice() {
  model::Invoice inv;
  inv.number = "FI-2026-1";
  inv.seller.electronic_address = *ParticipantId::Make("0216", "003715728600");
  inv.buyer.electronic_address = *ParticipantId::Make("0216", "003724681015");
  return inv;
}

const Routing kOperators = {{"sender_intermediator", "003701011385"},
                            {"receiver_intermediator", "NDEAFIHH"},
                            {"timestamp", "2026-11-27T10:00:00+02:00"}};

std::vector<std::string> Messages(const Error& e) {
  std::vector<std::string> out;
  for (const Finding& f : e.findings()) out.push_back(f.message);
  return out;
}

TEST(FinvoiceTransmissionTest, AddressesAndMessageIdComeFromTheInvoice) {
  auto t = TransmissionFromRouting(kOperators, Invoice());
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  EXPECT_EQ(t->sender_address, "003715728600");
  EXPECT_EQ(t->sender_address_scheme, "0216");
  EXPECT_EQ(t->receiver_address, "003724681015");
  EXPECT_EQ(t->receiver_address_scheme, "0216");
  EXPECT_EQ(t->message_id, "FI-2026-1");
  EXPECT_EQ(t->sender_intermediator, "003701011385");
  EXPECT_EQ(t->timestamp, "2026-11-27T10:00:00+02:00");
  // A routing address wins; it takes the invoice's scheme only when it is the invoice's address.
  Routing routing = kOperators;
  routing["receiver_address"] = "FI7429501800000014";
  routing["message_id"] = "M-77";
  t = TransmissionFromRouting(routing, Invoice());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->receiver_address, "FI7429501800000014");
  EXPECT_EQ(t->receiver_address_scheme, "");
  EXPECT_EQ(t->message_id, "M-77");
}

TEST(FinvoiceTransmissionTest, MissingKeysNameTheKeyAndItsElement) {
  struct Case {
    const char* key;
    const char* message;
  };
  const Case cases[] = {
      {"sender_intermediator",
       "routing key 'sender_intermediator' (MessageSenderDetails/FromIntermediator) is missing"},
      {"receiver_intermediator",
       "routing key 'receiver_intermediator' (MessageReceiverDetails/ToIntermediator) is missing"},
      {"timestamp", "routing key 'timestamp' (MessageDetails/MessageTimeStamp) is missing"},
  };
  for (const Case& c : cases) {
    Routing routing = kOperators;
    routing.erase(c.key);
    auto t = TransmissionFromRouting(routing, Invoice());
    ASSERT_FALSE(t.has_value()) << c.key;
    EXPECT_EQ(t.error().code(), ErrorCode::kInvalidArgument);
    ASSERT_EQ(t.error().findings().size(), 1u) << t.error().ToString();
    const Finding& f = t.error().findings()[0];
    EXPECT_EQ(f.rule, "finvoice.routing");
    EXPECT_EQ(f.location, std::string("/routing/") + c.key);
    EXPECT_EQ(f.message.rfind(c.message, 0), 0u) << f.message;
  }
  // Without electronic addresses in the invoice, the addresses are required too; all problems at
  // once.
  auto t = TransmissionFromRouting({}, model::Invoice{});
  ASSERT_FALSE(t.has_value());
  std::vector<std::string> messages = Messages(t.error());
  ASSERT_EQ(messages.size(), 6u) << t.error().ToString();
  EXPECT_EQ(messages[0].rfind(
                "routing key 'sender_address' (MessageSenderDetails/FromIdentifier) is missing", 0),
            0u);
  EXPECT_NE(messages[0].find("BT-34"), std::string::npos);
  EXPECT_EQ(
      messages[2].rfind(
          "routing key 'receiver_address' (MessageReceiverDetails/ToIdentifier) is missing", 0),
      0u);
  EXPECT_NE(messages[2].find("BT-49"), std::string::npos);
}

TEST(FinvoiceTransmissionTest, UnknownKeyIsNamedWithTheKnownOnes) {
  Routing routing = kOperators;
  routing["receiver_operator"] = "NDEAFIHH";
  auto t = TransmissionFromRouting(routing, Invoice());
  ASSERT_FALSE(t.has_value());
  ASSERT_EQ(t.error().findings().size(), 1u);
  const std::string& m = t.error().findings()[0].message;
  EXPECT_NE(m.find("unknown routing key 'receiver_operator'"), std::string::npos) << m;
  for (const std::string& key : RoutingKeys()) EXPECT_NE(m.find(key), std::string::npos) << key;
}

TEST(FinvoiceTransmissionTest, ValuesTheSchemaRefusesAreReported) {
  Routing routing = kOperators;
  routing["timestamp"] = "27.11.2026 10:00";
  routing["message_id"] = std::string(49, 'M');
  routing["sender_address_scheme"] = "00 37";
  routing["receiver_intermediator"] = "N";
  auto t = TransmissionFromRouting(routing, Invoice());
  ASSERT_FALSE(t.has_value());
  std::vector<std::string> where;
  for (const Finding& f : t.error().findings()) where.push_back(f.location);
  EXPECT_EQ(where, (std::vector<std::string>{"/routing/sender_address_scheme",
                                             "/routing/receiver_intermediator",
                                             "/routing/message_id", "/routing/timestamp"}))
      << t.error().ToString();
}

TEST(FinvoiceValuesTest, AmountsKeepTheirValueOrAreRefused) {
  struct Case {
    const char* value;
    const char* amount;  // "" = refused
    const char* epi;
    const char* percent;
  };
  const Case cases[] = {
      {"12", "12,00", "12,00", "12"},     {"-1234.5", "-1234,50", "-1234,50", ""},
      {"0.125", "0,125", "", "0,125"},    {"1.123450", "1,12345", "", ""},
      {"1.123456", "", "", ""},           {"25.50", "25,50", "25,50", "25,50"},
      {"1000", "1000,00", "1000,00", ""}, {"1234567890123456", "", "", ""},
  };
  for (const Case& c : cases) {
    Decimal d = *Decimal::Parse(c.value);
    EXPECT_EQ(internal::FormatAmount(d).value_or(""), c.amount) << c.value;
    EXPECT_EQ(internal::FormatEpiAmount(d).value_or(""), c.epi) << c.value;
    EXPECT_EQ(internal::FormatPercent(d).value_or(""), c.percent) << c.value;
  }
  EXPECT_EQ(internal::ParseNumber(" -1234,50 ")->ToString(), "-1234.50");
  EXPECT_EQ(internal::ParseNumber("24")->ToString(), "24");
  for (const char* bad : {"1 234,50", "1.234,50", "12,", ",5", "1e3", "EUR 5", ""}) {
    EXPECT_FALSE(internal::ParseNumber(bad).has_value()) << bad;
  }
  EXPECT_EQ(internal::FormatDate(*Date::Parse("2026-03-01")), "20260301");
  EXPECT_FALSE(internal::ParseDate("20260230").has_value());
  EXPECT_TRUE(internal::IsDateTime("2026-11-27T10:00:00+02:00"));
  EXPECT_TRUE(internal::IsDateTime("2019-03-29T12:00:00"));
  EXPECT_TRUE(internal::IsDateTime("2026-11-27T10:00:00.125Z"));
  EXPECT_FALSE(internal::IsDateTime("2026-11-27 10:00:00"));
}

TEST(FinvoiceValuesTest, LongTextsSplitAtSpaces) {
  bool exact = false;
  EXPECT_EQ(internal::SplitText("aaa bbb ccc", 7, &exact),
            (std::vector<std::string>{"aaa bbb", "ccc"}));
  EXPECT_TRUE(exact);
  EXPECT_EQ(internal::SplitText("abcdefghij", 4, &exact),
            (std::vector<std::string>{"abcd", "efgh", "ij"}));
  EXPECT_FALSE(exact);
  // Characters, not bytes: "ää" is 2 characters.
  EXPECT_EQ(internal::SplitText("\xC3\xA4\xC3\xA4 x", 2, &exact),
            (std::vector<std::string>{"\xC3\xA4\xC3\xA4", "x"}));
  EXPECT_EQ(internal::FirstChars("\xC3\xA4\xC3\xB6\xC3\xA5", 2), "\xC3\xA4\xC3\xB6");
}

TEST(FinvoiceValuesTest, Latin9HasTheEuroSignAndReferencesTheRest) {
  auto out = internal::ToLatin9Document(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\xE2\x82\xAC \xC3\xA4 \xC2\xA4 "
      "\xE2\x80\x94</a>");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out,
            "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<a>\xA4 \xE4 &#164; &#8212;</a>");
  EXPECT_FALSE(internal::ToLatin9Document("<a>\xE4</a>").has_value());  // not UTF-8
  auto ascii = internal::ToAsciiMarkup("<eb:PartyId>\xC3\x85land</eb:PartyId>");
  ASSERT_TRUE(ascii.has_value());
  EXPECT_EQ(*ascii, "<eb:PartyId>&#197;land</eb:PartyId>");
}

}  // namespace
}  // namespace gw::formats::finvoice
