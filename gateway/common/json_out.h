// The gateway writes its JSON answers with the JSON writer of formats/json.
#pragma once

#include "formats/json/json_out.h"

namespace gw::gateway {
using formats::json::JsonOut;
}  // namespace gw::gateway
