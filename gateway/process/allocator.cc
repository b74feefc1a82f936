#include "gateway/process/allocator.h"

#include <cstdlib>  // defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace gw {

bool ConfigureAllocatorForThroughput() {
#if defined(__GLIBC__)
  bool ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
  ok = mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024) == 1 && ok;
  return ok;
#else
  return false;
#endif
}

}  // namespace gw
