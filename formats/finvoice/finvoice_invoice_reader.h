// InvoiceReader: one parsed Finvoice document into the EN16931 model and its Transmission.
// Internal to formats/finvoice (see finvoice_reader.h). Not thread-safe; one per document.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "formats/core/result.h"
#include "formats/finvoice/finvoice_read_context.h"
#include "formats/finvoice/finvoice_transmission.h"
#include "formats/model/invoice.h"

namespace gw::formats::finvoice::internal {

// The element names of one party's postal address.
struct AddressIds {
  NameId container;
  NameId street;
  NameId town;
  NameId postcode;
  NameId subdivision;
};

class InvoiceReader {
 public:
  // `doc` (a Finvoice root) must outlive the reader.
  InvoiceReader(const xml::Document& doc, std::vector<Finding>* losses);

  // The invoice, with `transmission` set from MessageTransmissionDetails merged with `frame` (the
  // SOAP frame's routing, when there was one). Errors as ReadInvoice's.
  Result<model::Invoice> Read(const std::optional<Transmission>& frame, Transmission* transmission);

 private:
  void ReadTransmission(NodeId root, const std::optional<Transmission>& frame, Transmission* t,
                        model::Invoice& inv);
  // finvoice_invoice_reader.cc
  void Details(NodeId details, model::Invoice& inv);
  void Totals(NodeId root, NodeId details, model::Invoice& inv);
  void VatSpecification(NodeId details, model::Invoice& inv);
  model::AllowanceCharge AllowanceCharge(NodeId node, bool charge);
  void Payment(NodeId root, model::Invoice& inv);
  // finvoice_read_parties.cc
  model::Address Address(NodeId parent, const AddressIds& ids);
  model::Identifier IdentifierOf(NodeId element);
  ParticipantId ElectronicAddress(NodeId unit, const std::string& routed,
                                  const std::string& routed_scheme, bool routed_is_party,
                                  const char* term);
  void Seller(NodeId root, const Transmission& t, model::Invoice& inv);
  void Buyer(NodeId root, const Transmission& t, model::Invoice& inv);
  void Delivery(NodeId root, model::Invoice& inv);
  void AnyParties(NodeId root, model::Invoice& inv);
  // finvoice_read_rows.cc
  bool IsLine(NodeId row) const;
  model::Line Row(NodeId row);

  ReadContext in_;
  const Names& n_;
};

}  // namespace gw::formats::finvoice::internal
