#include "core/prometheus.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace edgechat::core {
namespace {

bool NameChar(char c, bool first, bool colon) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool ValidName(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); i++) {
    if (!NameChar(name[i], i == 0, colon)) return false;
  }
  return true;
}

std::int64_t Clamp(std::uint64_t value) {
  constexpr auto kMax = static_cast<std::uint64_t>(INT64_MAX);
  return static_cast<std::int64_t>(std::min(value, kMax));
}

}  // namespace

bool ValidMetricName(std::string_view name) {
  return ValidName(name, /*colon=*/true);
}

bool ValidLabelName(std::string_view name) {
  return ValidName(name, /*colon=*/false) && !name.starts_with("__");
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Status PrometheusText::Add(std::string_view family, MetricType type, std::string_view help,
                           const MetricLabels& labels, std::int64_t value) {
  if (!ValidMetricName(family))
    return Error{ErrorKind::kInvalidInput, "invalid_metric_name", "invalid metric name"};
  std::string line(family);
  if (!labels.empty()) {
    line += '{';
    for (std::size_t i = 0; i < labels.size(); i++) {
      if (!ValidLabelName(labels[i].first))
        return Error{ErrorKind::kInvalidInput, "invalid_label_name", "invalid label name"};
      if (i > 0) line += ',';
      line += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + '"';
    }
    line += '}';
  }
  line += ' ' + std::to_string(value);
  auto it = std::find_if(families_.begin(), families_.end(),
                         [&](const Family& f) { return f.name == family; });
  if (it == families_.end()) {
    families_.push_back(Family{std::string(family), type, std::string(help), {}});
    it = std::prev(families_.end());
  } else if (it->type != type) {
    return Error{ErrorKind::kInvalidInput, "metric_type_mismatch", "a family has one type"};
  }
  it->samples.push_back(std::move(line));
  return Ok{};
}

std::string PrometheusText::Text() const {
  std::string out;
  for (const Family& family : families_) {
    out += "# HELP " + family.name + ' ' + EscapeHelp(family.help) + '\n';
    out +=
        "# TYPE " + family.name + (family.type == MetricType::kCounter ? " counter\n" : " gauge\n");
    for (const std::string& sample : family.samples) out += sample + '\n';
  }
  return out;
}

std::string EdgeMetricsText(const EdgeStats& s) {
  PrometheusText text;
  auto add = [&](std::string_view name, MetricType type, std::string_view help,
                 const MetricLabels& labels, std::int64_t value) {
    // Every name and label here is a literal: a failure is a programming error caught by the
    // unit tests, never a runtime condition.
    (void)text.Add(name, type, help, labels, value);
  };
  const auto counter = MetricType::kCounter;
  const auto gauge = MetricType::kGauge;
  constexpr std::string_view kRequests =
      "API requests answered by the edge, by outcome (host-wide; preflight is every OPTIONS).";
  const std::pair<const char*, std::uint64_t> outcomes[] = {
      {"allowed", s.allowed},     {"unauthorized", s.unauthorized},
      {"forbidden", s.forbidden}, {"limited", s.limited},
      {"preflight", s.preflight}, {"other_4xx", s.other_4xx},
      {"5xx", s.server_errors},   {"other", s.other}};
  for (const auto& [outcome, value] : outcomes) {
    add("edgechat_edge_requests_total", counter, kRequests, {{"outcome", outcome}}, Clamp(value));
  }
  constexpr std::string_view kChecks =
      "Rate-limit decisions, by who decided: redis, cached (the worker's leases or known "
      "denials) or local (the shared-memory fallback).";
  add("edgechat_edge_limit_checks_total", counter, kChecks, {{"by", "redis"}},
      Clamp(s.limit_redis));
  add("edgechat_edge_limit_checks_total", counter, kChecks, {{"by", "cached"}},
      Clamp(s.limit_cached));
  add("edgechat_edge_limit_checks_total", counter, kChecks, {{"by", "local"}},
      Clamp(s.limit_local));
  add("edgechat_edge_redis_round_trips_total", counter,
      "Redis commands that got a reply (host-wide).", {}, Clamp(s.redis_round_trips));
  constexpr std::string_view kErrors =
      "Redis failures (host-wide): command (timeout, lost connection, error reply) or "
      "connection (connect refused, dropped, authentication refused).";
  add("edgechat_edge_redis_errors_total", counter, kErrors, {{"kind", "command"}},
      Clamp(s.redis_command_errors));
  add("edgechat_edge_redis_errors_total", counter, kErrors, {{"kind", "connection"}},
      Clamp(s.redis_connection_errors));
  add("edgechat_edge_frames_total", counter, "Frame documents, served or refused (unknown site).",
      {{"result", "served"}}, Clamp(s.frames));
  add("edgechat_edge_frames_total", counter, "Frame documents, served or refused (unknown site).",
      {{"result", "refused"}}, Clamp(s.frames_refused));
  add("edgechat_edge_widget_requests_total", counter, "widget.js requests answered.", {},
      Clamp(s.widget));

  std::string pid = std::to_string(s.pid);
  constexpr std::string_view kMode =
      "The answering worker process's limiter: 1 for the mode in use (redis or shared_memory).";
  add("edgechat_edge_limiter_mode", gauge, kMode, {{"pid", pid}, {"mode", "redis"}},
      s.limiter_on_redis ? 1 : 0);
  add("edgechat_edge_limiter_mode", gauge, kMode, {{"pid", pid}, {"mode", "shared_memory"}},
      s.limiter_on_redis ? 0 : 1);
  add("edgechat_edge_redis_configured", gauge, "1 when edgechat_redis is set.", {{"pid", pid}},
      s.redis_configured ? 1 : 0);
  add("edgechat_edge_redis_connected", gauge,
      "1 while the answering worker process has an authenticated Redis connection.", {{"pid", pid}},
      s.redis_connected ? 1 : 0);
  add("edgechat_edge_registry_loaded", gauge,
      "1 once the answering worker process has a site registry.", {{"pid", pid}},
      s.registry_revision ? 1 : 0);
  if (s.registry_revision) {
    add("edgechat_edge_registry_revision", gauge,
        "Revision of the registry the answering worker process uses.", {{"pid", pid}},
        *s.registry_revision);
    add("edgechat_edge_registry_age_seconds", gauge,
        "Seconds since the answering worker process loaded its registry revision.", {{"pid", pid}},
        s.registry_age_seconds);
    add("edgechat_edge_registry_sites", gauge, "Sites in the registry.", {{"pid", pid}},
        Clamp(s.sites));
  }
  return text.Text();
}

}  // namespace edgechat::core
