// ee-erp: the client of the ERP data exchange SOAP interface ("ErpDataExchange", SOAP 1.1,
// document/literal, namespace http://e-arvetekeskus.eu/erp) of the Estonian operator Finbite
// (formerly Omniva e-arvekeskus). Thread-safe: calls share one HttpClient and no other state.
//
// What it does, and what the interface leaves open (docs/operators/estonia.md has the whole story):
//  - Deliver sends the Estonian e-invoice 1.2 file (format "ee-einvoice") with EInvoiceRequest.
//    The E_Invoice element goes inside the request exactly as the writer wrote it (without its XML
//    declaration), without namespace, as the operator's public clients send it; the WSDL's schema
//    puts it in http://www.pangaliit.ee/arveldused/e-arve/, the e-invoice standard in none.
//  - Duplicates: the request has no message id. The operator knows a file by its Header/FileId and
//    an invoice by the seller's registry code and invoice id (Invoice/@sellerRegnumber,
//    @invoiceId), and refuses a second copy with an error answer. The document is sent unchanged,
//    so the FileId the writer derived for this message is what identifies it; an answer that says
//    "duplicate" (its ErrorCode is in `duplicate_codes`, or its Message says duplicate / already
//    exists / juba olemas) counts as delivered: a retry after a crash between sending and
//    recording ends in success, not in a second invoice or a false failure.
//  - Answers: EInvoiceResponse ErrorCode 0 is delivered; another code is the operator refusing the
//    document (invalid, unknown buyer): permanent, kInvalidArgument with the operator's message. A
//    SOAP fault with faultcode Client (a wrong auth phrase, a malformed request) is permanent,
//    kFailedPrecondition; faultcode Server, any other HTTP 5xx, 408, 429, a timeout or a
//    connection failure is kUnavailable (retried). HTTP 401/403 and other 3xx/4xx are permanent
//    kFailedPrecondition naming the setting to check.
//  - The auth phrase is never logged and never in an error or receipt: the operator's own text is
//    scrubbed of it before it is quoted.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "operators/http/http_client.h"
#include "operators/operator_client.h"

namespace gw::operators {

// One received (buy) invoice from BuyInvoiceExportRequest.
struct ExportedInvoice {
  std::string operator_invoice_id;  // Invoice/@invoiceId: the operator's id of the invoice
  std::string invoice_number;       // InvoiceInformation/InvoiceNumber (BT-1)
  std::string invoice_date;         // InvoiceInformation/InvoiceDate (BT-2), YYYY-MM-DD
  std::string seller_reg_number;    // Invoice/@sellerRegnumber
  std::string buyer_reg_number;     // Invoice/@regNumber
  std::string file_id;              // Header/FileId of the answer that carried it
  // The answer's latestChange (when the operator last sent the invoices of that answer to the
  // ERP): pass the last invoice's value as `since` to continue after it.
  std::string latest_change;
  // A standalone E_Invoice file, UTF-8: the answer's Header, this one Invoice and a Footer with its
  // control totals (1 invoice, its TotalSum), elements without namespace. Readable by
  // formats::ee::ReadBatch.
  std::string document;
};

class EeErpClient final : public OperatorClient {
 public:
  // The registry's factory (operators/protocols.cc): Create() as an OperatorClient.
  static Result<std::unique_ptr<OperatorClient>> Make(const OperatorSettings& settings,
                                                      const ClientContext& context);

  // Reads the settings: url (http or https; settings.url, else the protocol key "url"),
  // auth_phrase (from auth_phrase or auth_phrase_file; at most 100 characters), and optionally
  // ca_file, client_cert with client_key, duplicate_codes (comma-separated ErrorCodes that mean
  // "already received"), timeout_ms and connect_timeout_ms (> 0), formats (only ee-einvoice).
  // kInvalidArgument naming the key as operator.<id>.<key> for each bad or missing one (all of
  // them); the auth phrase's value is never quoted.
  static Result<std::unique_ptr<EeErpClient>> Create(const OperatorSettings& settings);

  // Sends delivery.document (format ee-einvoice, UTF-8, no DOCTYPE) with EInvoiceRequest.
  // Success: Receipt{detail: one line naming the operator, the file and its answer; document: the
  // SOAP answer; media_type text/xml}, also when the operator answers that it already has the
  // file. Errors as in the header comment; a document that is not an E_Invoice, not UTF-8 or not
  // well-formed is kInvalidArgument before anything is sent.
  Result<Receipt> Deliver(const Delivery& delivery) override;

  // One CompanyStatusRequest for all `ids` (at most kMaxCompanies; an empty list asks nothing).
  // An id is an Estonian registry code: "0191:<code>", "EE:<code>" or the bare "<code>", 1 to 15
  // digits. Answers, in the order asked: id "0191:<code>", accepts = the operator's YES, channel
  // "direct", and for a receiver the document types (invoice, credit_note) and the operator's
  // formats. A code the answer leaves out does not accept. The WSDL's answer has no names.
  // kInvalidArgument for more than kMaxCompanies ids or any id of another scheme (one finding per
  // id); errors of the call as for Deliver.
  Result<std::vector<ReceiverInfo>> CheckRecipients(const std::vector<std::string>& ids) override;

  // The invoices the operator received for us (BuyInvoiceExportRequest without states: those sent
  // to the ERP after `since_rfc3339`), following includesLatest="NO" with the answer's
  // latestChange for up to kMaxExportPages requests (then it stops; call again with the last
  // invoice's latest_change); each invoice once, in the operator's order.
  // kInvalidArgument for a `since` that is not RFC 3339 with a zone; kFailedPrecondition when the
  // operator says more follow without moving latestChange forward; errors of the call as for
  // Deliver.
  Result<std::vector<ExportedInvoice>> ExportReceived(const std::string& since_rfc3339);

  // ExportReceived as the gateway's inbound fetch: message id "<operator id>:<operator's invoice
  // id>", sender and recipient 0191:<registry code>, format ee-einvoice; `since` "" starts at
  // 2000-01-01; next_since is the last invoice's latest_change.
  Result<FetchedBatch> FetchInbound(const std::string& since) override;

  static constexpr size_t kMaxCompanies = 100;  // CompanyStatusRequestType: RegNumber maxOccurs 100
  static constexpr int kMaxExportPages = 50;

 private:
  struct Answer;
  EeErpClient(OperatorSettings settings, std::string url, std::string auth_phrase,
              std::vector<long> duplicate_codes, HttpOptions http);

  // Posts one SOAP request and returns the parsed answer whose Body holds `expected` (local name),
  // or the error its HTTP status, SOAP fault or transport failure maps to.
  Result<Answer> Call(const char* operation, const char* expected, const std::string& envelope);
  std::string Scrub(std::string_view operator_text) const;
  std::string Who() const;

  std::string url_;
  std::string auth_phrase_;
  std::vector<long> duplicate_codes_;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace gw::operators
