#include "http_policies.h"

#include <arpa/inet.h>

#include <cctype>
#include <ctime>

#include "kv_service.h"

namespace kvserver {

namespace {

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  // The length is not secret (a token is usually a fixed-length random
  // string); the bytes are compared without an early exit.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// The token of "Bearer <token>", or "" for another scheme.
std::string BearerToken(const std::string& authorization) {
  static const std::string kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return "";
  for (size_t i = 0; i < kScheme.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return "";
  }
  return authorization.substr(kScheme.size());
}

// The path and the (URL-decoded) query parameters.
std::string Target(const httplib::Request& req) {
  std::string target = req.path;
  char sep = '?';
  for (const auto& [name, value] : req.params) {
    target += sep + name + "=" + value;
    sep = '&';
  }
  return target;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

void RequireBearerToken(const std::string& token, RequestHooks* hooks) {
  hooks->AddBeforeRouting([token](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/health") return httplib::Server::HandlerResponse::Unhandled;
    if (ConstantTimeEquals(BearerToken(req.get_header_value("Authorization")), token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    const Reply reply = KvService::Error(401, "missing or wrong bearer token");
    res.status = reply.status;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content(reply.body, reply.content_type.c_str());
    return httplib::Server::HandlerResponse::Handled;
  });
}

void LogEachRequest(std::FILE* out, RequestHooks* hooks) {
  hooks->AddAfterResponse([out](const httplib::Request& req, const httplib::Response& res) {
    char when[32];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    // One fprintf per line: stdio locks the stream, so lines from
    // concurrent requests never interleave.
    std::fprintf(out, "%s %s \"%s %s\" %d %zu\n", when, req.remote_addr.c_str(),
                 req.method.c_str(), Target(req).c_str(), res.status, res.body.size());
    std::fflush(out);
  });
}

}  // namespace kvserver
