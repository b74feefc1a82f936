// ValidateStream: one streaming XSD validation of a document, the engine behind
// SchemaSet::Validate. Thread-safe: each call has its own parser and validation contexts and
// only reads the compiled schemas, so calls on many threads may share them.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "formats/core/result.h"
#include "formats/xsd/schema_set.h"

namespace gw::formats::xsd {

// `schemas[i]` is the compiled schema of DocumentSchema i, or null when it is not installed in
// `folder` (named in the error). The schemas must stay alive during the call; they are not
// modified. Same contract as SchemaSet::Validate.
Result<std::vector<Finding>> ValidateStream(
    std::string_view xml, const std::array<_xmlSchema*, kDocumentSchemaCount>& schemas,
    std::string_view folder, const SchemaSet::Limits& limits);

}  // namespace gw::formats::xsd
