// A directory source of the operator registry: a recipient registry dump (protocol
// `registry-dump`, the shape of the Finnish e-invoice address registry, read by
// operators/directory/registry_dump.h) from a path or an http(s) URL.
//
// Every sync reads the whole dump (it is a full list). The first in a process writes every entry,
// in batches of 10,000, then everything of the source not in this dump becomes a tombstone; later
// ones (with a DumpMemory) write only what changed and tombstone what is gone. A dump whose content
// did not change since the last sync (same SHA-256, or a 304 from the server) is not read again;
// the run's success confirms its entries.
//
// An entry becomes: identifier 0037:<OVT code> or 9918:<IBAN> (the EAS codes of the two address
// kinds), party key 0212:<business id>, country FI, the registry's formats (the section's
// `formats`, if any). Its operator is this gateway's operator whose id or `codes` list names the
// registry's operator id (channel direct: we deliver to it ourselves); otherwise the registry's
// operator id with channel roaming, through the section's `via` operator when set (path [via, id]).
#pragma once

#include <string>
#include <vector>

#include "gateway/directory/dump_memory.h"
#include "gateway/directory/operator_source.h"

namespace gw::gateway {


// `registry`: the registry-dump section; `operators`: the whole registry (for codes and via);
// `spool`: where a downloaded dump is kept (beside the database). `cursor`: of the last sync.
Result<SyncOutcome> SyncRegistryDump(storage::Store& store, const operators::OperatorSettings& registry,
                                     const std::vector<operators::OperatorSettings>& operators,
                                     const std::string& spool, const std::string& cursor, int64_t now_ms,
                                     const std::atomic<bool>* stop = nullptr, DumpMemory* memory = nullptr);

}  // namespace gw::gateway
