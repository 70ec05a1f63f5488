#include "shared/result.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edgechat {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Error{ErrorKind::kInvalidInput, "odd", std::to_string(n) + " is odd"};
  return n / 2;
}

// Two halvings through EC_TRY: the first failure is what the caller gets.
Result<int> Quarter(int n) {
  EC_TRY(half, Half(n));
  EC_TRY(quarter, Half(half));
  return quarter;
}

// Halves both numbers of a pair in place; the first failure leaves the rest untouched.
Status HalveBoth(int& a, int& b) {
  EC_TRY_ASSIGN(a, Half(a));
  EC_TRY_ASSIGN(b, Half(b));
  return Ok{};
}

TEST(Result, TryPassesValuesOn) {
  auto q = Quarter(12);
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, 3);
}

TEST(Result, TryReturnsTheFirstErrorWithItsKind) {
  auto q = Quarter(6);  // 6 -> 3, then 3 is odd
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(q.error().code, "odd");
  EXPECT_EQ(q.error().message, "3 is odd");
}

TEST(Result, TryAssign) {
  int a = 8, b = 6;
  EXPECT_TRUE(HalveBoth(a, b));
  EXPECT_EQ(a, 4);
  EXPECT_EQ(b, 3);
  auto failed = HalveBoth(a, b);  // 4 -> 2, then 3 is odd: b keeps its value
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "odd");
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 3);
}

TEST(ErrorKind, AnUnclassifiedErrorIsOurs) {
  EXPECT_EQ(Error{}.kind, ErrorKind::kInternal);
}

}  // namespace
}  // namespace edgechat
