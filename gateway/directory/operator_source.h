// A directory source of the operator registry: an operator that lists its receivers (the gateway
// operator protocol's GET /operator/v1/receivers: all of them, then the changes since a cursor).
// One sync: with no cursor, the whole list (paged), then every entry of the source not seen in it
// becomes a tombstone; with a cursor, only the changes (additions, changes, removals). The new
// cursor is returned for the next run; a failed sync changes nothing it has not written yet and
// leaves the cursor where it was, so the next run repeats it.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "formats/core/result.h"
#include "gateway/storage/store.h"
#include "operators/operator_client.h"

namespace gw::gateway {

struct SyncOutcome {
  storage::DirectoryCounts counts;
  std::string cursor;  // for the next run
  bool full = false;   // a full list (with a sweep) rather than a delta
  int64_t entries = 0;  // receivers read
};

// Syncs `client`'s receivers into the directory as source `source` (normally the operator id).
// `cursor` "" asks for the full list.
// `stop` (when set) is checked between pages or batches: a shutdown ends the sync early as a
// failure (kUnavailable), keeping what was written and the cursor.
Result<SyncOutcome> SyncOperatorReceivers(storage::Store& store, operators::OperatorClient& client,
                                          const std::string& source, const std::string& cursor, int64_t now_ms,
                                          const std::atomic<bool>* stop = nullptr);

// Asks `client` about `ids` (in batches of up to 100: the Estonian company status check, the
// gateway protocol's receivers check) and records each answer as source `source`: a recipient
// that accepts e-invoices is added or refreshed, one that does not becomes a tombstone (so the
// directory can say not_registered). A failing batch stops the run; what was written stays.
Result<SyncOutcome> SyncCheckedRecipients(storage::Store& store, operators::OperatorClient& client,
                                          const std::string& source, const std::vector<std::string>& ids,
                                          int64_t now_ms, const std::atomic<bool>* stop = nullptr);

// The error a sync ends with when `stop` is set.
Error SyncStopped(const std::string& source);

}  // namespace gw::gateway
