// Registration of every built-in format, in one place (no static self-registration).
#pragma once

#include "formats/registry/format_registry.h"

namespace gw::formats {

// Registers json, ubl and every other built-in format. Fails only on a duplicate name (a bug).
Status RegisterBuiltinFormats(FormatRegistry& registry);

// Reads `text` with `from`, completes the totals (calc::Complete) and writes it with `to`.
// Errors are those of the reader, the calculator and the writer, unchanged.
Result<std::string> Convert(const FormatRegistry& registry, std::string_view from,
                            std::string_view to, std::string_view text);

}  // namespace gw::formats
