#include "gateway/process/allocator.h"

#include <gtest/gtest.h>

#include <cstdlib>  // defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace gw {
namespace {

TEST(AllocatorTest, LargeBlocksComeFromTheHeapAfterConfiguration) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces malloc; glibc's settings do not apply";
#elif defined(__GLIBC__)
  ASSERT_TRUE(ConfigureAllocatorForThroughput());
  struct mallinfo2 before = mallinfo2();
  void* block = malloc(8 * 1024 * 1024);  // above glibc's default 128 KiB mmap threshold
  ASSERT_NE(block, nullptr);
  struct mallinfo2 during = mallinfo2();
  EXPECT_EQ(during.hblks, before.hblks) << "an 8 MiB block was still served by mmap";
  free(block);
#else
  GTEST_SKIP() << "glibc only";
#endif
}

}  // namespace
}  // namespace gw
