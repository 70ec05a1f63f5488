// libFuzzer target over DecodeRemoteNotice, the worker's reading of notices from Redis (anyone who
// can PUBLISH there can send anything). Besides not crashing, it checks that whatever is accepted
// is in range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "events/remote_notice.hpp"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgechat::worker;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto notice = DecodeRemoteNotice(text);
  if (!notice) return 0;
  Check(text.size() <= kMaxRemoteNoticeBytes);
  Check(notice->id >= 1 && notice->id <= kMaxNoticeId);
  Check(notice->conversation_id >= 1 && notice->conversation_id <= kMaxNoticeId);
  Check(notice->guest_id <= kMaxNoticeId);
  Check(notice->sender.size() <= kMaxSenderLength);
  for (char c : notice->sender) {
    Check((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-');
  }
  return 0;
}
