#include "ctl/output.hpp"

#include <iostream>

#include "ctl/args.hpp"

namespace edgechat::ctl {

using nlohmann::json;

std::string Dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

int Output::Fail(const Error& error) const {
  if (json_) {
    std::cerr << nlohmann::json{{"error", error.code}, {"message", error.message}}.dump() << "\n";
  } else {
    std::cerr << "edgechatctl: " << error.message << "\n";
  }
  return ExitCodeFor(error);
}

void Output::Print(const nlohmann::json& j) const {
  std::cout << Dump(j) << "\n";
}

void Output::Note(const std::string& text) const {
  std::cerr << "edgechatctl: " << text << "\n";
}

}  // namespace edgechat::ctl
