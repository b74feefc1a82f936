// A streaming reader of a recipient registry dump shaped like the Finnish e-invoice address
// registry (TIEKE, NETWORKS.md 4.3): CSV or JSON. Stateless functions; safe to call from several
// threads on different streams.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"

namespace gw::operators {

// One e-invoice address of the registry. All fields are trimmed; `address`, `operator_id` are
// upper-cased without spaces; `business_id` is the canonical "1234567-8".
struct RegistryEntry {
  std::string address;         // OVT code (0037 + business id digits + optional suffix) or an IBAN
  std::string address_scheme;  // "0037" for an OVT code, "IBAN" for an IBAN
  std::string operator_id;     // the intermediator's id: an OVT-style code (003723327487), a BIC
  std::string business_id;     // Y-tunnus, check digit verified
  std::string name;            // may be empty; valid UTF-8

  bool operator==(const RegistryEntry&) const = default;
};

enum class RegistryDumpFormat { kUnknown, kCsv, kJson };

enum class RegistryProblemKind {
  kMissingField,     // address, operator_id or business_id empty or absent
  kBadAddress,       // neither an OVT code nor an IBAN, or a wrong check digit in it
  kBadOperatorId,    // not 2..35 letters and digits
  kBadBusinessId,    // not NNNNNNN-N, or a wrong mod-11 check digit
  kBadEncoding,      // a field is not valid UTF-8
  kMalformedRow,     // CSV: wrong number of fields or bad quoting; JSON: not an object, a
                     // field that is not a string
  kUnknownField,     // a column or key the reader does not know: reported, ignored, row kept
  kCount
};

// The stable name of a kind ("missing_field", "bad_business_id", ...).
const char* RegistryProblemKindName(RegistryProblemKind kind);

struct RegistryDumpProblem {
  RegistryProblemKind kind = RegistryProblemKind::kMalformedRow;
  std::size_t line = 0;   // 1-based line where the CSV record or the JSON entry starts
  std::size_t index = 0;  // 0-based: CSV data row (header excluded), JSON array element
  std::string field;      // "address", "operator_id", "business_id", "name", the unknown
                          // column or key as written, or "" for the whole row
  std::string message;    // what is wrong, with the offending value (shortened)
};

// "line 12 (entry 10), business_id: ..." for logs and the admin view.
std::string DescribeProblem(const RegistryDumpProblem& problem);

struct RegistryDumpStats {
  static constexpr std::size_t kMaxKeptProblems = 100;

  RegistryDumpFormat format = RegistryDumpFormat::kUnknown;
  std::uint64_t rows = 0;                 // data rows / array elements seen
  std::uint64_t entries = 0;              // entries handed to the callback
  std::uint64_t skipped = 0;              // rows with at least one problem other than unknown_field
  std::uint64_t duplicate_addresses = 0;  // entries whose address an earlier entry had
  std::uint64_t problem_count = 0;        // all problems, also those beyond kMaxKeptProblems
  std::array<std::uint64_t, static_cast<std::size_t>(RegistryProblemKind::kCount)> by_kind{};
  std::vector<RegistryDumpProblem> problems;  // the first kMaxKeptProblems, in input order

  std::uint64_t count(RegistryProblemKind kind) const {
    return by_kind[static_cast<std::size_t>(kind)];
  }
};

// Reads a registry dump from `in` and calls `each` once per valid entry, in input order.
//
// The format is detected from the content (a UTF-8 BOM and leading white space are skipped):
//  - JSON when it starts with '[' (an array of entry objects) or '{' (an object whose
//    "entries", "data", "items" or "records" member is that array; other members are skipped);
//  - CSV otherwise (RFC 4180: quoted fields with "" escapes and line breaks, CRLF or LF), the
//    first record a header; the delimiter is ',' ';' or TAB, whichever the header uses most.
// Column names and JSON keys match case-insensitively ignoring anything but letters and digits:
//   address:     address, einvoiceaddress, invoiceaddress, receiveraddress, ediaddress, ovt,
//                edicode, verkkolaskuosoite
//   operator_id: operatorid, operator, intermediator, intermediatorid, serviceid, operatorcode,
//                valittajatunnus, valittaja (also with ä)
//   business_id: businessid, ytunnus, companyid, organisationid, organizationid
//   name:        name, companyname, receivername, nimi, yrityksennimi
// address, operator_id and business_id are required, name is optional. The scheme is derived
// from the address (see ParseEinvoiceAddress).
//
// A row with problems is reported in `stats` (line, index, field, what is wrong; every problem
// of the row) and skipped; reading goes on. Unknown columns (reported once, at the header) and
// unknown JSON keys (reported once per key name) are ignored. Duplicate addresses are all
// passed to `each` in order, so a consumer that upserts by address keeps the last; they are
// counted in `stats->duplicate_addresses` (by a 64-bit hash of the address: about 16 bytes of
// memory per distinct address). Otherwise memory is bounded by one record (at most 1 MiB).
//
// Returns OK when the whole input was read, even if rows were skipped. Errors:
//  - kInvalidArgument: the input is not a dump of this shape (empty, XML, no header naming the
//    required columns, a first JSON entry without an address, a JSON syntax error, a record
//    longer than 1 MiB); the message names what was expected and where reading stopped;
//  - kUnavailable: the stream failed while reading;
//  - whatever `each` returns: reading stops at the first error of the callback.
// `stats` may be null; when not, it is reset first and filled even when an error is returned.
Status ReadRegistryDump(std::istream& in, const std::function<Status(RegistryEntry&&)>& each,
                        RegistryDumpStats* stats);

// A Finnish business id (Y-tunnus): seven digits, '-', a check digit = 11 - (sum of the digits
// weighted 7,9,10,5,8,4,2 mod 11), 0 when the remainder is 0, no valid id when it is 1. Six
// digits are accepted with a leading zero added (old ids). Returns the canonical "1234567-8",
// or kInvalidArgument saying what is wrong.
Result<std::string> ParseBusinessId(std::string_view text);

struct EinvoiceAddress {
  std::string address;  // upper-cased, spaces removed
  std::string scheme;   // "0037" or "IBAN"
};

// An e-invoice address: an OVT code "0037" + the 8 digits of a business id (its check digit
// verified) + an optional suffix of up to 5 letters or digits, or an IBAN (2 letters, 2 check
// digits, 11..30 letters or digits; ISO 13616 mod-97 check). Spaces are ignored. Returns the
// normalised address and its scheme, or kInvalidArgument saying what is wrong.
Result<EinvoiceAddress> ParseEinvoiceAddress(std::string_view text);

}  // namespace gw::operators
