// /healthz, /readyz, /metrics, /v1/openapi.yaml.
#include "gateway/common/json_out.h"
#include "gateway/server/handlers.h"

namespace gw::gateway::handlers {

void Healthz(Ctx& ctx) { ctx.SendJson(200, R"({"status":"ok"})"); }

void Readyz(Ctx& ctx) {
  if (ctx.app.stopping) return ctx.Problem(503, "unavailable", "Shutting down", "the gateway is stopping");
  if (auto st = ctx.app.store->Ping(); !st) return ctx.Unavailable(st.error());
  auto version = ctx.app.store->SchemaVersion();
  if (!version) return ctx.Unavailable(version.error());
  JsonOut j;
  j.BeginObject().Field("status", "ready").Field("database", "ok").Field("schema_version", *version).EndObject();
  ctx.SendJson(200, j.str());
}

void MetricsText(Ctx& ctx) {
  auto stats = ctx.app.store->Stats();
  auto sources = ctx.app.store->ListSources();
  auto entries = ctx.app.store->DirectorySize();
  std::string text = ctx.app.metrics.Render(stats ? &*stats : nullptr, NowMs(), sources ? &*sources : nullptr,
                                            entries ? &*entries : nullptr);
  ctx.Send(200, "text/plain; version=0.0.4", text);
}

void OpenApi(Ctx& ctx) { ctx.Send(200, "application/yaml", ctx.app.openapi_yaml); }

}  // namespace gw::gateway::handlers
