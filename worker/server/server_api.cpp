#include "server/server_api.hpp"

#include <nlohmann/json.hpp>

#include "api/external_api.hpp"
#include "json/admin_json.hpp"
#include "shared/server_api.hpp"

namespace edgechat::worker {
namespace {

using nlohmann::json;

HttpResponse Json(int status, const json& body) {
  return JsonResponse(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::optional<std::string> QueryValue(const HttpRequest& request, const char* name) {
  auto value = request.Query(name);
  if (!value || value->empty()) return std::nullopt;
  return DecodeQueryValue(*value);
}

json ServerConversationJson(const ConversationSummary& c) {
  return ConversationSummaryJson(c);
}

// {"text", "clientId"?, "author"?: "agent" | "system"}.
Result<ServerMessageInput> ParseServerMessage(const std::string& body) {
  EC_TRY(message, ParseMessageInput(body));
  ServerMessageInput input;
  input.text = std::move(message.text);
  input.client_id = std::move(message.client_id);
  json j = json::parse(body, nullptr, false);
  if (auto author = j.find("author"); author != j.end() && !author->is_null()) {
    if (!author->is_string()) {
      return Error{ErrorKind::kInvalidInput, "invalid_author", "author must be agent or system"};
    }
    input.author = author->get<std::string>();
  }
  return input;
}

// {"attributes": {NAME: TEXT | null, ...}}: type checks only (the rules are ServerService's).
Result<AttributeChanges> ParseAttributeChanges(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{ErrorKind::kInvalidInput, "invalid_json", "The body must be a JSON object."};
  }
  auto attributes = j.find("attributes");
  if (attributes == j.end() || !attributes->is_object()) {
    return Error{ErrorKind::kInvalidInput, "invalid_attribute",
                 "\"attributes\" must be an object of names to text or null."};
  }
  AttributeChanges changes;
  for (const auto& [name, value] : attributes->items()) {
    if (value.is_null()) {
      changes[name] = std::nullopt;
    } else if (value.is_string()) {
      changes[name] = value.get<std::string>();
    } else {
      return Error{ErrorKind::kInvalidInput, "invalid_attribute",
                   "The value of an attribute is text, or null to remove it."};
    }
  }
  return changes;
}

HttpResponse AttributesJson(std::string_view guest_id, const Attributes& attributes) {
  return Json(200, json{{"guestId", guest_id}, {"attributes", attributes}});
}

}  // namespace

std::optional<HttpResponse> ServerApi::Handle(const HttpRequest& request) {
  if (!request.Path().starts_with(shared::kServerApiPrefix)) return std::nullopt;
  auto response = Route(request);
  if (!response) return ErrorResponseFor(response.error());
  return std::move(response).value();
}

Result<HttpResponse> ServerApi::Route(const HttpRequest& request) {
  const std::string path = request.Path();  // match.guest_id points into it
  shared::ServerRouteMatch match = shared::ClassifyServerRoute(path);
  if (match.route == shared::ServerRoute::kUnknown) {
    return ErrorResponse(404, "not_found", "No such route.");
  }
  if (!shared::ServerMethodAllowed(match.route, request.method)) {
    HttpResponse r = ErrorResponse(405, "method_not_allowed", "This method is not allowed here.");
    r.headers.emplace_back("Allow", std::string(shared::ServerAllowedMethods(match.route)));
    return r;
  }
  EC_TRY(caller, auth_.Authenticate(request.Header("authorization")));
  const std::uint64_t id = match.conversation_id.value_or(0);
  switch (match.route) {
    case shared::ServerRoute::kConversations: {
      ServerListQuery query{QueryValue(request, "status"), QueryValue(request, "updatedSince"),
                            QueryValue(request, "cursor"), QueryValue(request, "limit")};
      EC_TRY(page, service_.List(caller, query));
      json list = json::array();
      for (const auto& c : page.conversations) list.push_back(ServerConversationJson(c));
      return Json(200, json{{"conversations", std::move(list)},
                            {"nextCursor", page.next_cursor ? json(*page.next_cursor) : json()}});
    }
    case shared::ServerRoute::kConversation: {
      EC_TRY(summary, service_.Show(caller, id));
      return Json(200, ServerConversationJson(summary));
    }
    case shared::ServerRoute::kMessages: {
      if (request.method == "GET") {
        EC_TRY(page, service_.Messages(caller, id, QueryValue(request, "after"),
                                       QueryValue(request, "limit")));
        json list = json::array();
        for (const auto& m : page.messages) list.push_back(AdminMessageJson(m));
        json next = page.has_more && !page.messages.empty()
                        ? json(std::to_string(page.messages.back().id))
                        : json();
        return Json(200, json{{"conversationId", id},
                              {"messages", std::move(list)},
                              {"hasMore", page.has_more},
                              {"nextAfter", next}});
      }
      EC_TRY(input, ParseServerMessage(request.body));
      EC_TRY(posted, service_.Post(caller, id, input));
      return Json(posted.created ? 201 : 200,
                  json{{"message", AdminMessageJson(posted.message)}, {"created", posted.created}});
    }
    case shared::ServerRoute::kResolve:
    case shared::ServerRoute::kReopen: {
      std::string status = match.route == shared::ServerRoute::kResolve ? "resolved" : "open";
      EC_TRY(changed, service_.SetStatus(caller, id, status));
      return Json(200, json{{"id", id}, {"status", status}, {"changed", changed}});
    }
    case shared::ServerRoute::kVisitorAttributes: {
      std::string guest(match.guest_id);
      if (request.method == "GET") {
        EC_TRY(attributes, service_.VisitorAttributes(caller, guest));
        return AttributesJson(guest, attributes);
      }
      EC_TRY(changes, ParseAttributeChanges(request.body));
      EC_TRY(attributes, service_.SetVisitorAttributes(caller, guest, changes));
      return AttributesJson(guest, attributes);
    }
    case shared::ServerRoute::kVisitor: {
      std::string guest(match.guest_id);
      EC_TRY(erased, service_.EraseVisitor(caller, guest));
      return Json(200, json{{"guestId", guest},
                            {"erased",
                             {{"messages", erased.messages},
                              {"reactions", erased.reactions},
                              {"attributes", erased.attributes}}}});
    }
    case shared::ServerRoute::kUnknown:
      break;
  }
  return ErrorResponse(404, "not_found", "No such route.");
}

}  // namespace edgechat::worker
