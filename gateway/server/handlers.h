// The API's request handlers (docs/api.md), one function per route. The router (server.cc) has
// authenticated the tenant (except for the operations routes) and filled Ctx::params.
#pragma once

#include "gateway/server/context.h"

namespace gw::gateway {

// Authenticates a web page's signed-in user from the session cookie: refuses (answering 401 or
// 403) when there is no session, when its role is not in `roles` (comma-separated), or when a
// state-changing request lacks the session's CSRF token or comes from another origin. Sets
// Ctx::tenant (an admin: every tenant, or ?tenant=), role, username and, for a customer, buyer.
bool AuthenticateSession(Ctx& ctx, std::string_view roles);

}  // namespace gw::gateway

namespace gw::gateway::handlers {

void PostInvoice(Ctx& ctx);
void PreflightInvoice(Ctx& ctx);
void GetInvoice(Ctx& ctx);        // params: id
void ListInvoices(Ctx& ctx);
void GetDocument(Ctx& ctx);       // params: id, kind
void GetInvoiceView(Ctx& ctx);    // params: id (the invoice as a readable document)
void StreamEvents(Ctx& ctx);      // Server-Sent Events
void PostWebhook(Ctx& ctx);
void ListWebhooks(Ctx& ctx);
void DeleteWebhook(Ctx& ctx);     // params: id
void ListDeliveries(Ctx& ctx);    // params: id
void ReplayDelivery(Ctx& ctx);    // params: id, delivery id
void Healthz(Ctx& ctx);
void Readyz(Ctx& ctx);
void MetricsText(Ctx& ctx);
void OpenApi(Ctx& ctx);
// The inbox (inbox_api.cc).
void ListInbox(Ctx& ctx);
void GetInboxItem(Ctx& ctx);        // params: id
void GetInboxDocument(Ctx& ctx);    // params: id
void AckInboxItem(Ctx& ctx);        // params: id
void RespondToInboxItem(Ctx& ctx);  // params: id
// Recipients and the directory (directory_api.cc).
void GetRecipient(Ctx& ctx);      // params: scheme:value
void CheckRecipients(Ctx& ctx);
void DirectoryStatus(Ctx& ctx);
void SyncDirectory(Ctx& ctx);    // POST /v1/directory/sync: a manual refresh (202)
// The order-to-cash figures of a period (kpis_api.cc).
void Kpis(Ctx& ctx);
// The web pages (ui_api.cc): static files, sign-in, and the reads only the pages need.
void UiAsset(Ctx& ctx);         // params: file name (none: index.html)
void UiLogin(Ctx& ctx);
void UiLogout(Ctx& ctx);
void UiMe(Ctx& ctx);
void UiOperators(Ctx& ctx);
void UiCertificates(Ctx& ctx);
// The operator protocol (operator_api.cc); Ctx::operator_id is the caller.
void PostOperatorMessage(Ctx& ctx);
void ListOperatorReceivers(Ctx& ctx);
void CheckOperatorReceivers(Ctx& ctx);
void PostOperatorStatus(Ctx& ctx);

}  // namespace gw::gateway::handlers
