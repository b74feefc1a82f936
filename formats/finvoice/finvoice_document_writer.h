// DocumentWriter: one invoice model as a Finvoice 3.0 document (UTF-8, Finvoice3.0.xsd order),
// collecting losses and the reasons it cannot be written. Internal to formats/finvoice (see
// finvoice_writer.h). Not thread-safe; one per document.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"
#include "formats/finvoice/finvoice_transmission.h"
#include "formats/model/invoice.h"
#include "formats/xml/xml_writer.h"

namespace gw::formats::finvoice::internal {

// The element names of one party's postal address (Seller..., Buyer..., Delivery..., AnyParty...).
struct AddressNames {
  const char* container;
  const char* street;
  const char* town;
  const char* postcode;
  const char* subdivision;
};

class DocumentWriter {
 public:
  // `invoice` has the Finvoice signs already (credit notes negated, see finvoice_writer.cc); both
  // references must outlive the writer. Losses are appended to `losses` when it is not null.
  DocumentWriter(const model::Invoice& invoice, const Transmission& transmission,
                 std::vector<Finding>* losses);
  DocumentWriter(const DocumentWriter&) = delete;
  DocumentWriter& operator=(const DocumentWriter&) = delete;

  // The document, or kInvalidArgument with every reason it cannot be written (all of them).
  Result<std::string> Write();

 private:
  // What to do with a text longer than its element allows.
  enum class Overflow {
    kCut,     // a name or free text: write its first characters, report the rest lost
    kDrop,    // an identifier or a code: a cut one would be wrong, so leave it out, report it lost
    kRefuse,  // a term the invoice cannot do without (BT-1): refuse the invoice
  };

  void Lost(std::string path, std::string message);
  void Refuse(std::string rule, std::string path, std::string message);

  // The text as it fits the element's length limits ("" when nothing can be written), reporting
  // what does not fit. `term` names the business term ("BT-27 seller name").
  std::string Fit(std::string_view value, size_t min_chars, size_t max_chars,
                  const std::string& path, std::string_view term, Overflow overflow);
  // <element>Fit(value)</element> when anything fits.
  void Text(const char* element, std::string_view value, size_t min_chars, size_t max_chars,
            const std::string& path, std::string_view term, Overflow overflow = Overflow::kCut);
  // A text repeated in up to `max_parts` elements of at most `max_chars` each (free texts).
  void SplitText(const char* element, std::string_view value, size_t max_chars, size_t max_parts,
                 const std::string& path, std::string_view term);
  // An identifier with its ISO 6523 scheme in @SchemeID (a scheme that is not a 4-digit ICD is
  // reported lost).
  void Identifier(const char* element, const model::Identifier& id, size_t max_chars,
                  const std::string& path, std::string_view term);
  void Amount(const char* element, const Decimal& value, const std::string& path,
              std::string_view term);
  void Amount(const char* element, const std::optional<Decimal>& value, const std::string& path,
              std::string_view term) {
    if (value) Amount(element, *value, path, term);
  }
  // A unit price (unitAmountUN): an amount with an optional UN/ECE unit code.
  void UnitPrice(const char* element, const Decimal& value, std::string_view unit,
                 const std::string& path, std::string_view term);
  // A percentage; one that does not fit the schema's pattern is lost (`required` false) or
  // refused (`required` true: a VAT rate).
  void Percent(const char* element, const std::optional<Decimal>& value, const std::string& path,
               std::string_view term, bool required);
  void DateLeaf(const char* element, const std::optional<Date>& date);
  // A code of a UN/CEFACT list ([A-Z0-9]{1,3}); another value is lost.
  void Code(const char* element, std::string_view code, const std::string& path,
            std::string_view term);
  // A postal address when the schema's mandatory street, town and post code are all there;
  // otherwise every term of it is reported lost.
  void Address(const AddressNames& names, const model::Address& address, const std::string& path);
  bool AddressWritable(const model::Address& address) const;

  // Sections, in document order (finvoice_document_writer.cc).
  void TransmissionDetails();
  void InvoiceDetails();
  void VatSpecification();
  void AllowancesCharges();
  // Parties (finvoice_write_parties.cc).
  void Seller();
  void Buyer();
  void Delivery();
  void AnyParties();
  // Payment (finvoice_write_payment.cc).
  void SellerAccounts();
  void PaymentCardAndDirectDebit();
  void Epi();
  // Rows (finvoice_write_rows.cc).
  void Row(const model::Line& line, size_t index);
  void RowItem(const model::Line& line, const std::string& path);
  void RowPrice(const model::Line& line, const std::string& path);
  void RowAllowancesCharges(const model::Line& line, const std::string& path);

  const model::Invoice& inv_;
  const Transmission& transmission_;
  std::vector<Finding>* losses_;
  std::vector<Finding> errors_;
  xml::XmlWriter w_;
};

}  // namespace gw::formats::finvoice::internal
