// Registration of every built-in format, in one place (no static self-registration).
#pragma once

#include "formats/registry/format_registry.h"

namespace gw::formats {

// Registers json, ubl and every other built-in format. Fails only on a duplicate name (a bug).
Status RegisterBuiltinFormats(FormatRegistry& registry);

// Reads `text` with `from`, completes the totals (calc::Complete) and writes it with `to`.
// Errors are those of the reader, the calculator and the writer, unchanged. The business terms
// that the conversion could not carry are appended to `losses` (when given) as warnings.
// `recompute` false skips calc::Complete: the amounts and the VAT breakdown are written as the
// input states them (for complete documents, UBL or CII, received from elsewhere).
// `options` go to the writer: routing data, encoding and envelope where the target format has
// them (FormatInfo::takes_routing, encodings, has_envelope); kInvalidArgument when it has not.
Result<std::string> Convert(const FormatRegistry& registry, std::string_view from,
                            std::string_view to, std::string_view text,
                            std::vector<Finding>* losses = nullptr, bool recompute = true,
                            const WriteOptions& options = {});

}  // namespace gw::formats
