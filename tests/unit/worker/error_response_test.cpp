// The worker's one mapping from errors to HTTP responses (http/types.hpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "http/types.hpp"

namespace edgechat::worker {
namespace {

std::optional<std::string> HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return std::nullopt;
}

TEST(ErrorResponse, EachKindHasOneStatus) {
  EXPECT_EQ(HttpStatusFor(ErrorKind::kInvalidInput), 400);
  EXPECT_EQ(HttpStatusFor(ErrorKind::kUnauthorized), 401);
  EXPECT_EQ(HttpStatusFor(ErrorKind::kForbidden), 403);
  EXPECT_EQ(HttpStatusFor(ErrorKind::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorKind::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorKind::kLimited), 429);
  EXPECT_EQ(HttpStatusFor(ErrorKind::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorKind::kInternal), 500);
}

TEST(ErrorResponse, TheCallersErrorsShowTheirCodeAndMessage) {
  // The status follows the kind, whatever the code says.
  auto r = ErrorResponseFor({ErrorKind::kNotFound, "message_not_found", "No such message."});
  EXPECT_EQ(r.status, 404);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"], "message_not_found");
  EXPECT_EQ(body["message"], "No such message.");
  EXPECT_EQ(ErrorResponseFor({ErrorKind::kConflict, "not_reactable", "x"}).status, 409);
  EXPECT_EQ(ErrorResponseFor({ErrorKind::kInvalidInput, "invalid_origin", "x"}).status, 400);
}

TEST(ErrorResponse, OurFailuresHideTheirDetail) {
  auto down = ErrorResponseFor({ErrorKind::kUnavailable, "db_unavailable", "tcp 127.0.0.1:3306"});
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(HeaderOf(down, "Retry-After"), "2");
  EXPECT_EQ(nlohmann::json::parse(down.body)["error"], "unavailable");
  EXPECT_EQ(down.body.find("3306"), std::string::npos);
  auto bug = ErrorResponseFor({ErrorKind::kInternal, "db_error", "Unknown column x in SELECT"});
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(nlohmann::json::parse(bug.body)["error"], "internal");
  EXPECT_EQ(bug.body.find("column"), std::string::npos);
}

}  // namespace
}  // namespace edgechat::worker
