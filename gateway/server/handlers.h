// The API's request handlers (docs/api.md), one function per route. The router (server.cc) has
// authenticated the tenant (except for the operations routes) and filled Ctx::params.
#pragma once

#include "gateway/server/context.h"

namespace gw::gateway::handlers {

void PostInvoice(Ctx& ctx);
void PreflightInvoice(Ctx& ctx);
void GetInvoice(Ctx& ctx);        // params: id
void ListInvoices(Ctx& ctx);
void GetDocument(Ctx& ctx);       // params: id, kind
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

}  // namespace gw::gateway::handlers
