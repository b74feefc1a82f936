#include "formats/core/date.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(DateTest, ParsesCalendarDates) {
  for (const char* t : {"2024-02-29", "2026-12-31", "2000-02-29", "1999-01-01"}) {
    auto d = Date::Parse(t);
    ASSERT_TRUE(d.has_value()) << t;
    EXPECT_EQ(d->ToString(), t);
  }
}

TEST(DateTest, RejectsImpossibleOrMalformedDates) {
  for (const char* t : {"2026-02-29", "2100-02-29", "2026-02-30", "2026-13-01", "2026-00-10",
                        "2026-04-31", "26-1-1", "2026/01/01", "2026-1-01", "2026-01-01T00:00",
                        "", "0000-01-01", "２０２６-01-01"}) {
    EXPECT_FALSE(Date::Parse(t).has_value()) << t;
  }
}

TEST(DateTest, OrdersChronologically) {
  EXPECT_LT(*Date::Parse("2026-01-31"), *Date::Parse("2026-02-01"));
  EXPECT_EQ(*Date::Parse("2026-01-31"), *Date::Parse("2026-01-31"));
}

}  // namespace
}  // namespace gw
