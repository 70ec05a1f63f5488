// How edgechatctl prints: JSON with --json, else text; errors on stderr with the exit code of
// their Error code (args.hpp, ExitCodeFor).
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "shared/result.hpp"

namespace edgechat::ctl {

// Indented JSON, invalid UTF-8 replaced rather than thrown on.
std::string Dump(const nlohmann::json& j);

class Output {
 public:
  explicit Output(bool json) : json_(json) {}
  bool json_mode() const { return json_; }
  // Prints the error ({"error", "message"} with --json) and returns its exit code.
  int Fail(const Error& error) const;
  // `j` on stdout (the --json form of a result).
  void Print(const nlohmann::json& j) const;
  // A note on stderr ("edgechatctl: ..."), in both modes.
  void Note(const std::string& text) const;

 private:
  bool json_;
};

}  // namespace edgechat::ctl
