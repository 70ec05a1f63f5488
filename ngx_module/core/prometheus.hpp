// Prometheus text exposition (format 0.0.4) for edgechat_status: a small builder that groups
// samples by family (HELP and TYPE written once, before the family's first sample), escapes
// label values and writes values as integers. Plain C++, no nginx types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::core {

enum class MetricType { kCounter, kGauge };

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  // Adds one sample. A family's help and type come from its first sample; a later sample of the
  // same family with another type is refused, as are invalid metric or label names.
  Status Add(std::string_view family, MetricType type, std::string_view help,
             const MetricLabels& labels, std::int64_t value);
  // The exposition text, families in the order they were first added.
  std::string Text() const;

 private:
  struct Family {
    std::string name;
    MetricType type;
    std::string help;
    std::vector<std::string> samples;  // rendered sample lines, without the newline
  };
  std::vector<Family> families_;
};

bool ValidMetricName(std::string_view name);
bool ValidLabelName(std::string_view name);
// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);
// Escapes HELP text: backslash and newline.
std::string EscapeHelp(std::string_view help);

// What edgechat_status reports, gathered by the nginx glue.
struct EdgeStats {
  // Host-wide (shared-memory zone).
  std::uint64_t allowed = 0, unauthorized = 0, forbidden = 0, limited = 0, preflight = 0,
                other_4xx = 0, server_errors = 0, other = 0;
  std::uint64_t limit_redis = 0, limit_cached = 0, limit_local = 0;
  std::uint64_t redis_round_trips = 0, redis_command_errors = 0, redis_connection_errors = 0;
  std::uint64_t frames = 0, frames_refused = 0, widget = 0;
  // The answering worker process.
  long pid = 0;
  bool redis_configured = false;
  bool redis_connected = false;
  bool limiter_on_redis = false;
  std::optional<std::int64_t> registry_revision;  // none until a registry was loaded
  std::int64_t registry_age_seconds = 0;
  std::uint64_t sites = 0;
};

// The edge's metrics as Prometheus text.
std::string EdgeMetricsText(const EdgeStats& stats);

}  // namespace edgechat::core
