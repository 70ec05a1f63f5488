#include "core/prometheus.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace edgechat::core {
namespace {

TEST(PrometheusText, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\"b"), "a\\\"b");
  EXPECT_EQ(EscapeLabelValue("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeLabelValue("a\nb"), "a\\nb");
  EXPECT_EQ(EscapeHelp("x\\y\nz\"q"), "x\\\\y\\nz\"q");
}

TEST(PrometheusText, WritesHelpAndTypeOncePerFamily) {
  PrometheusText text;
  ASSERT_TRUE(text.Add("a_total", MetricType::kCounter, "A things.", {{"k", "1"}}, 3));
  ASSERT_TRUE(text.Add("b", MetricType::kGauge, "B.", {}, -2));
  ASSERT_TRUE(text.Add("a_total", MetricType::kCounter, "ignored", {{"k", "x\"y"}}, 4));
  EXPECT_EQ(text.Text(),
            "# HELP a_total A things.\n"
            "# TYPE a_total counter\n"
            "a_total{k=\"1\"} 3\n"
            "a_total{k=\"x\\\"y\"} 4\n"
            "# HELP b B.\n"
            "# TYPE b gauge\n"
            "b -2\n");
}

TEST(PrometheusText, RefusesBadNamesAndTypeChanges) {
  PrometheusText text;
  EXPECT_FALSE(text.Add("1abc", MetricType::kGauge, "", {}, 0));
  EXPECT_FALSE(text.Add("a-b", MetricType::kGauge, "", {}, 0));
  EXPECT_FALSE(text.Add("ok", MetricType::kGauge, "", {{"bad-label", "v"}}, 0));
  EXPECT_FALSE(text.Add("ok", MetricType::kGauge, "", {{"__reserved", "v"}}, 0));
  ASSERT_TRUE(text.Add("ns:ok", MetricType::kGauge, "", {}, 0));
  EXPECT_FALSE(text.Add("ns:ok", MetricType::kCounter, "", {}, 1));
  EXPECT_EQ(text.Text(), "# HELP ns:ok \n# TYPE ns:ok gauge\nns:ok 0\n");
}

// Every line is HELP, TYPE or a sample; each family's TYPE comes once, before its samples; every
// value is an integer.
void ExpectWellFormed(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::set<std::string> typed, helped;
  std::string current;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ")) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(helped.insert(name).second) << line;
    } else if (line.starts_with("# TYPE ")) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(typed.insert(name).second) << line;
      current = name;
    } else {
      std::size_t end = line.find_first_of("{ ");
      ASSERT_NE(end, std::string::npos) << line;
      EXPECT_EQ(line.substr(0, end), current) << line;
      std::string value = line.substr(line.rfind(' ') + 1);
      ASSERT_FALSE(value.empty());
      EXPECT_EQ(value.find_first_not_of("-0123456789"), std::string::npos) << line;
    }
  }
}

TEST(EdgeMetrics, ReportsEveryOutcomeAndTheWorker) {
  EdgeStats stats;
  stats.allowed = 5;
  stats.unauthorized = 1;
  stats.forbidden = 2;
  stats.limited = 3;
  stats.preflight = 4;
  stats.server_errors = 6;
  stats.limit_redis = 7;
  stats.redis_round_trips = 9;
  stats.redis_connection_errors = 2;
  stats.pid = 1234;
  stats.redis_configured = true;
  stats.limiter_on_redis = false;
  stats.registry_revision = 42;
  stats.registry_age_seconds = 17;
  stats.sites = 3;
  stats.widget = 18446744073709551615ULL;  // clamped, never negative
  std::string text = EdgeMetricsText(stats);
  ExpectWellFormed(text);
  for (const char* sample : {
           "edgechat_edge_requests_total{outcome=\"allowed\"} 5\n",
           "edgechat_edge_requests_total{outcome=\"unauthorized\"} 1\n",
           "edgechat_edge_requests_total{outcome=\"forbidden\"} 2\n",
           "edgechat_edge_requests_total{outcome=\"limited\"} 3\n",
           "edgechat_edge_requests_total{outcome=\"preflight\"} 4\n",
           "edgechat_edge_requests_total{outcome=\"other_4xx\"} 0\n",
           "edgechat_edge_requests_total{outcome=\"5xx\"} 6\n",
           "edgechat_edge_limit_checks_total{by=\"redis\"} 7\n",
           "edgechat_edge_redis_round_trips_total 9\n",
           "edgechat_edge_redis_errors_total{kind=\"connection\"} 2\n",
           "edgechat_edge_limiter_mode{pid=\"1234\",mode=\"redis\"} 0\n",
           "edgechat_edge_limiter_mode{pid=\"1234\",mode=\"shared_memory\"} 1\n",
           "edgechat_edge_registry_revision{pid=\"1234\"} 42\n",
           "edgechat_edge_registry_age_seconds{pid=\"1234\"} 17\n",
           "edgechat_edge_widget_requests_total 9223372036854775807\n",
       }) {
    EXPECT_NE(text.find(sample), std::string::npos) << sample << "\n" << text;
  }
}

TEST(EdgeMetrics, LeavesOutTheRegistryUntilOneIsLoaded) {
  EdgeStats stats;
  stats.pid = 7;
  stats.limiter_on_redis = true;
  std::string text = EdgeMetricsText(stats);
  ExpectWellFormed(text);
  EXPECT_NE(text.find("edgechat_edge_registry_loaded{pid=\"7\"} 0\n"), std::string::npos);
  EXPECT_EQ(text.find("edgechat_edge_registry_revision"), std::string::npos);
  EXPECT_NE(text.find("edgechat_edge_limiter_mode{pid=\"7\",mode=\"redis\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace edgechat::core
