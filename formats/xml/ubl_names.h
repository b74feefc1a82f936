// The expanded names of UBL 2.1, generated from the official schemas (scripts/gen_ubl_names.py).
#pragma once

#include <cstddef>

namespace gw::formats::xml {

struct UblName {
  const char* ns_uri;
  const char* local;
};

extern const UblName kUblNames[];
extern const size_t kUblNameCount;

}  // namespace gw::formats::xml
